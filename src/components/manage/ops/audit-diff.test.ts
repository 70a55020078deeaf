import { describe, expect, it } from "vitest";
import { diffRows } from "./audit-diff";

describe("diffRows (audit before/after, compactly)", () => {
  it("lists only the keys that changed, added or removed", () => {
    expect(
      diffRows(
        { status: "failed", attempts: 1, provider: "stripe" },
        { status: "processed", attempts: 2, provider: "stripe", outcome: "confirmed" },
      ),
    ).toEqual([
      { key: "status", from: "failed", to: "processed" },
      { key: "attempts", from: "1", to: "2" },
      { key: "outcome", from: undefined, to: "confirmed" },
    ]);
    expect(diffRows({ role: "admin" }, null)).toEqual([{ key: "role", from: "admin", to: undefined }]);
    expect(diffRows(null, null)).toEqual([]);
  });

  it("shows nested values as JSON and cuts long ones", () => {
    const [row] = diffRows(null, { meta: { a: [1, 2] }, long: "x".repeat(200) });
    expect(row).toEqual({ key: "meta", from: undefined, to: '{"a":[1,2]}' });
    expect(diffRows(null, { long: "x".repeat(200) })[0]?.to).toHaveLength(118);
    expect(diffRows("scalar", "other")).toEqual([{ key: "value", from: "scalar", to: "other" }]);
  });
});
