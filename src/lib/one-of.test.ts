import { describe, expect, it } from "vitest";
import { isOneOf } from "./one-of";

describe("isOneOf", () => {
  const statuses = ["held", "confirmed"] as const;

  it("accepts a member of the list", () => {
    expect(isOneOf(statuses, "held")).toBe(true);
  });

  it("rejects anything else, including a prefix or a different case", () => {
    expect(isOneOf(statuses, "hel")).toBe(false);
    expect(isOneOf(statuses, "HELD")).toBe(false);
    expect(isOneOf(statuses, "")).toBe(false);
  });
});
