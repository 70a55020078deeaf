import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "./cron-guard";

describe("constantTimeEqual", () => {
  const secret = "0123456789abcdef0123456789abcdef";

  it("is true only for the identical string", () => {
    expect(constantTimeEqual(secret, secret)).toBe(true);
    expect(constantTimeEqual(`${secret}`.slice(0), secret)).toBe(true);
  });

  it.each([
    ["a different secret of the same length", "f".repeat(32)],
    ["one character changed", `${secret.slice(0, -1)}0`],
    ["a prefix", secret.slice(0, 31)],
    ["a longer string", `${secret}x`],
    ["an empty string", ""],
    ["different case", secret.toUpperCase()],
  ])("is false for %s", (_case, given) => {
    expect(constantTimeEqual(given, secret)).toBe(false);
  });

  it("handles empty and non-ASCII input without throwing", () => {
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("秘密の鍵", "秘密の鍵")).toBe(true);
    expect(constantTimeEqual("秘密の鍵", "秘密の錠")).toBe(false);
  });
});
