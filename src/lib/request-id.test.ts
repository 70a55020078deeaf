import { describe, expect, it } from "vitest";
import { resolveRequestId } from "./request-id";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("resolveRequestId", () => {
  it.each([
    "abcdefgh",
    "req-2026-11-24T08:00:00.123",
    "a.b_c:d-e".padEnd(40, "x"),
    "x".repeat(128),
    crypto.randomUUID(),
  ])("keeps a short, plain incoming id: %s", (incoming) => {
    expect(resolveRequestId(incoming)).toBe(incoming);
  });

  it.each([
    ["missing", null],
    ["undefined", undefined],
    ["empty", ""],
    ["shorter than 8", "abc1234"],
    ["longer than 128", "x".repeat(129)],
    ["with a space", "request id 1"],
    ["with a newline (log injection)", "abcdefgh\nlevel=fatal"],
    ["with markup", "<script>alert(1)</script>"],
    ["with non-ASCII", "リクエスト番号12345"],
  ])("generates a UUID instead of a %s id", (_case, incoming) => {
    const id = resolveRequestId(incoming);
    expect(id).toMatch(UUID);
    expect(id).not.toBe(incoming);
  });

  it("generates a different id each time", () => {
    const ids = new Set(Array.from({ length: 50 }, () => resolveRequestId(null)));
    expect(ids.size).toBe(50);
  });
});
