import { describe, expect, it } from "vitest";
import { isUuid } from "./uuid";

describe("isUuid", () => {
  it("accepts the canonical form in either case, any version", () => {
    expect(isUuid("3f2b8a1e-9c4d-4e5f-8a6b-7c8d9e0f1a2b")).toBe(true);
    expect(isUuid("3F2B8A1E-9C4D-4E5F-8A6B-7C8D9E0F1A2B")).toBe(true);
    expect(isUuid("00000000-0000-0000-0000-000000000001")).toBe(true);
  });

  it("refuses anything else, including non-strings", () => {
    for (const value of [
      "",
      "not-a-uuid",
      "3f2b8a1e9c4d4e5f8a6b7c8d9e0f1a2b",
      "{3f2b8a1e-9c4d-4e5f-8a6b-7c8d9e0f1a2b}",
      " 3f2b8a1e-9c4d-4e5f-8a6b-7c8d9e0f1a2b",
      42,
      null,
      undefined,
    ]) {
      expect(isUuid(value)).toBe(false);
    }
  });
});
