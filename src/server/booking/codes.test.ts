import { createHash } from "node:crypto";
import { resetConfigForTests } from "@/lib/env";
import { describe, expect, it } from "vitest";
import { hashManageToken, manageTokenFor, newReservationCode } from "./codes";

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
  it("are 256 bits in base64url, the same for one reservation and different between reservations", () => {
    const a = manageTokenFor("00000000-0000-4000-8000-000000000001");
    const again = manageTokenFor("00000000-0000-4000-8000-000000000001");
    const b = manageTokenFor("00000000-0000-4000-8000-000000000002");
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, "base64url")).toHaveLength(32);
    expect(again).toEqual(a);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toBe(b.hash);
  });

  it("depend on MANAGE_LINK_SECRET, so a link cannot be made without it", () => {
    const id = "00000000-0000-4000-8000-000000000001";
    const before = manageTokenFor(id).token;
    const restore = process.env.MANAGE_LINK_SECRET;
    process.env.MANAGE_LINK_SECRET = "another-secret-of-at-least-32-characters!";
    resetConfigForTests();
    try {
      expect(manageTokenFor(id).token).not.toBe(before);
    } finally {
      if (restore === undefined) delete process.env.MANAGE_LINK_SECRET;
      else process.env.MANAGE_LINK_SECRET = restore;
      resetConfigForTests();
    }
  });

  it("are stored as their SHA-256 in hex, never as themselves", () => {
    const { token, hash } = manageTokenFor("00000000-0000-4000-8000-000000000003");
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
