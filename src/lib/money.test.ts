import { describe, expect, it } from "vitest";
import { formatMoney, minorUnitDigits } from "./money";

describe("minorUnitDigits", () => {
  it.each([
    ["JPY", 0],
    ["jpy", 0],
    ["KRW", 0],
    ["USD", 2],
    ["EUR", 2],
  ])("%s has %i minor-unit digits", (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
  });
});

describe("formatMoney", () => {
  it("formats JPY as whole yen: the amount is already in yen", () => {
    expect(formatMoney({ amount: 2500, currency: "JPY" }, "ja")).toBe("￥2,500");
    expect(formatMoney({ amount: 2500, currency: "JPY" }, "en")).toBe("¥2,500");
    expect(formatMoney({ amount: 0, currency: "JPY" }, "ja")).toBe("￥0");
    expect(formatMoney({ amount: 1_234_567, currency: "JPY" }, "en")).toBe("¥1,234,567");
  });

  it("formats two-decimal currencies from minor units", () => {
    expect(formatMoney({ amount: 1234, currency: "USD" }, "en")).toBe("$12.34");
    expect(formatMoney({ amount: 5, currency: "USD" }, "en")).toBe("$0.05");
    expect(formatMoney({ amount: 100_000, currency: "USD" }, "en")).toBe("$1,000.00");
  });
});
