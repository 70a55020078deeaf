import { describe, expect, it } from "vitest";
import { addDays, formatLocalDate, isoWeekday, localDateOf, zonedInstant } from "./time";

const iso = (d: Date) => d.toISOString();

describe("zonedInstant", () => {
  it("places a wall-clock time in Asia/Tokyo (UTC+9, no DST)", () => {
    expect(iso(zonedInstant({ year: 2026, month: 11, day: 24 }, 10, 0, "Asia/Tokyo"))).toBe("2026-11-24T01:00:00.000Z");
    expect(iso(zonedInstant({ year: 2026, month: 7, day: 1 }, 10, 0, "Asia/Tokyo"))).toBe("2026-07-01T01:00:00.000Z");
    // Early morning in Tokyo is the previous UTC day.
    expect(iso(zonedInstant({ year: 2027, month: 1, day: 1 }, 7, 30, "Asia/Tokyo"))).toBe("2026-12-31T22:30:00.000Z");
  });

  it("uses the right offset either side of New York's DST changes", () => {
    const ny = (month: number, day: number, hour: number, minute = 0) =>
      iso(zonedInstant({ year: 2026, month, day }, hour, minute, "America/New_York"));
    expect(ny(3, 7, 10)).toBe("2026-03-07T15:00:00.000Z"); // EST, UTC-5
    expect(ny(3, 8, 1, 30)).toBe("2026-03-08T06:30:00.000Z"); // before the jump
    expect(ny(3, 8, 10)).toBe("2026-03-08T14:00:00.000Z"); // EDT, UTC-4, same day
    expect(ny(10, 31, 10)).toBe("2026-10-31T14:00:00.000Z"); // EDT
    expect(ny(11, 1, 10)).toBe("2026-11-01T15:00:00.000Z"); // EST again
  });

  it("moves a time in the spring-forward gap forward by the gap", () => {
    // 02:30 does not exist on 2026-03-08 in New York; it becomes 03:30 EDT.
    const inGap = zonedInstant({ year: 2026, month: 3, day: 8 }, 2, 30, "America/New_York");
    expect(iso(inGap)).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(zonedInstant({ year: 2026, month: 3, day: 8 }, 3, 30, "America/New_York"))).toBe(iso(inGap));
  });

  it("takes the first occurrence of a time repeated at fall-back", () => {
    // 01:30 happens twice on 2026-11-01 in New York; the earlier one is EDT.
    expect(iso(zonedInstant({ year: 2026, month: 11, day: 1 }, 1, 30, "America/New_York"))).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  it("keeps wall-clock slots one day apart across a DST change (23 h / 25 h in UTC)", () => {
    const at10 = (day: number, month: number) => zonedInstant({ year: 2026, month, day }, 10, 0, "America/New_York");
    expect(at10(8, 3).getTime() - at10(7, 3).getTime()).toBe(23 * 3_600_000);
    expect(at10(1, 11).getTime() - at10(31, 10).getTime()).toBe(25 * 3_600_000);
  });
});

describe("localDateOf", () => {
  it("gives the calendar date in the zone, not in UTC", () => {
    expect(localDateOf(new Date("2026-11-23T15:00:00Z"), "Asia/Tokyo")).toEqual({ year: 2026, month: 11, day: 24 });
    expect(localDateOf(new Date("2026-11-23T14:59:59Z"), "Asia/Tokyo")).toEqual({ year: 2026, month: 11, day: 23 });
    expect(localDateOf(new Date("2027-01-01T03:00:00Z"), "America/New_York")).toEqual({
      year: 2026,
      month: 12,
      day: 31,
    });
  });

  it("round-trips with zonedInstant", () => {
    const date = { year: 2026, month: 3, day: 8 };
    expect(localDateOf(zonedInstant(date, 23, 30, "America/New_York"), "America/New_York")).toEqual(date);
    expect(localDateOf(zonedInstant(date, 0, 0, "Asia/Tokyo"), "Asia/Tokyo")).toEqual(date);
  });
});

describe("calendar helpers", () => {
  it("numbers ISO weekdays from Monday = 1 to Sunday = 7", () => {
    expect(isoWeekday({ year: 2026, month: 11, day: 23 })).toBe(1);
    expect(isoWeekday({ year: 2026, month: 11, day: 28 })).toBe(6);
    expect(isoWeekday({ year: 2026, month: 11, day: 29 })).toBe(7);
  });

  it("adds days across month, year and leap-day boundaries", () => {
    expect(addDays({ year: 2026, month: 1, day: 31 }, 1)).toEqual({ year: 2026, month: 2, day: 1 });
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addDays({ year: 2026, month: 3, day: 1 }, -1)).toEqual({ year: 2026, month: 2, day: 28 });
    expect(addDays({ year: 2026, month: 11, day: 24 }, 14)).toEqual({ year: 2026, month: 12, day: 8 });
  });

  it("formats a date as YYYY-MM-DD", () => {
    expect(formatLocalDate({ year: 2026, month: 3, day: 8 })).toBe("2026-03-08");
    expect(formatLocalDate({ year: 2026, month: 11, day: 24 })).toBe("2026-11-24");
  });
});
