import { describe, expect, it } from "vitest";
import { formatAmountInput, parseAmount } from "./amount-input";

describe("refund amount input", () => {
  it("reads yen as whole numbers within the limit", () => {
    expect(parseAmount("600", "JPY", 1500)).toBe(600);
    expect(parseAmount(" 1,500 ", "JPY", 1500)).toBe(1500);
    expect(parseAmount("1501", "JPY", 1500)).toBeNull();
    expect(parseAmount("0", "JPY", 1500)).toBeNull();
    expect(parseAmount("12.5", "JPY", 1500)).toBeNull();
    expect(parseAmount("-5", "JPY", 1500)).toBeNull();
    expect(parseAmount("", "JPY", 1500)).toBeNull();
  });

  it("reads two-decimal currencies in major units", () => {
    expect(parseAmount("10.50", "USD", 2000)).toBe(1050);
    expect(parseAmount("10.5", "USD", 2000)).toBe(1050);
    expect(parseAmount("10.505", "USD", 2000)).toBeNull();
    expect(formatAmountInput(1050, "USD")).toBe("10.50");
    expect(formatAmountInput(1500, "JPY")).toBe("1500");
  });
});
