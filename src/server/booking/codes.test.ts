import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashManageToken, newManageToken, newReservationCode } from "./codes";

const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

describe("newReservationCode", () => {
  it("has the BK-XXXX-XXXX shape", () => {
    for (let i = 0; i < 200; i++) expect(newReservationCode()).toMatch(/^BK-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  });

  it("uses only the unambiguous alphabet (no 0, O, 1, I or L), and all of it", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const ch of newReservationCode().slice(3).replace("-", "")) seen.add(ch);
    for (const ambiguous of ["0", "O", "1", "I", "L"]) expect(seen.has(ambiguous)).toBe(false);
    expect([...seen].sort().join("")).toBe(ALPHABET);
  });

  it("does not repeat in a few thousand draws", () => {
    const codes = new Set(Array.from({ length: 2_000 }, () => newReservationCode()));
    expect(codes.size).toBe(2_000);
  });
});

describe("manage tokens", () => {
  it("are 256 random bits in base64url, different every time", () => {
    const a = newManageToken();
    const b = newManageToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, "base64url")).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toBe(b.hash);
  });

  it("are stored as their SHA-256 in hex, never as themselves", () => {
    const { token, hash } = newManageToken();
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
    expect(hashManageToken(token)).toBe(hash);
  });

  it("hash deterministically, and a one-character change gives another hash", () => {
    expect(hashManageToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashManageToken("abd")).not.toBe(hashManageToken("abc"));
  });
});
