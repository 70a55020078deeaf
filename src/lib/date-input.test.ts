import { describe, expect, it } from "vitest";
import { dayOrInstant, isoDay, isoInstant, isSaneYear, YEAR_MESSAGE } from "./date-input";

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe("date inputs are bounded to the years 2000–2100", () => {
  it("accepts days and instants inside the bounds", () => {
    expect(isoDay().parse("2030-01-07")).toBe("2030-01-07");
    expect(isoDay().parse("2000-01-01")).toBe("2000-01-01");
    expect(isoDay().parse("2100-12-31")).toBe("2100-12-31");
    expect(isoInstant().parse("2030-01-07T09:00:00+09:00")).toBe("2030-01-07T09:00:00+09:00");
    expect(dayOrInstant().parse("2030-01-07")).toBe("2030-01-07");
    expect(dayOrInstant().parse("2030-01-07T00:00:00Z")).toBe("2030-01-07T00:00:00Z");
  });

  it.each(["0000-01-01", "0099-12-31", "1999-12-31", "2101-01-01", "9999-12-31"])(
    "refuses the day %s with the year message",
    (day) => {
      expect(messagesOf(isoDay().safeParse(day))).toEqual([YEAR_MESSAGE]);
      expect(messagesOf(dayOrInstant().safeParse(day))).toEqual([YEAR_MESSAGE]);
      expect(messagesOf(isoInstant().safeParse(`${day}T00:00:00Z`))).toEqual([YEAR_MESSAGE]);
    },
  );

  it("refuses an instant whose UTC year leaves the bounds through its offset", () => {
    expect(messagesOf(isoInstant().safeParse("2100-12-31T23:00:00-05:00"))).toEqual([YEAR_MESSAGE]);
    expect(messagesOf(isoInstant().safeParse("2000-01-01T01:00:00+09:00"))).toEqual([YEAR_MESSAGE]);
  });

  it("keeps the format message for what is not a date at all", () => {
    expect(messagesOf(dayOrInstant().safeParse("yesterday"))).toEqual([
      "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with offset",
    ]);
    expect(messagesOf(isoInstant("must be an ISO 8601 date-time with offset").safeParse("2030-01-07"))).toEqual([
      "must be an ISO 8601 date-time with offset",
    ]);
    expect(isoDay().safeParse("2030-02-30").success).toBe(false);
  });

  it("isSaneYear", () => {
    expect([1999, 2000, 2100, 2101, 2030.5].map(isSaneYear)).toEqual([false, true, true, false, false]);
  });
});
