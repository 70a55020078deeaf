import { z } from "zod";

/**
 * Dates and instants that clients send, bounded to years 2000–2100. A booking system has nothing before or after
 * that, and the edges of the calendar are where things break: JavaScript reads years 0–99 as 1900–1999, PostgreSQL
 * has no year 0, and a year 275760 is an Invalid Date. Every query and body schema that takes a date uses these, so
 * a far-off date is a 422 with a clear message rather than a surprise in a query.
 */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export const YEAR_MESSAGE = `must be a date between the years ${MIN_YEAR} and ${MAX_YEAR}`;

export function isSaneYear(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

/**
 * Whether an ISO date or date-time string lies within the bounds: its own calendar year, and for an instant also the
 * UTC year it means. A string that is not shaped like one passes, since the format check reports that.
 */
function withinYears(value: string): boolean {
  const year = /^(\d{4})-/.exec(value)?.[1];
  if (year === undefined) return true;
  if (!isSaneYear(Number(year))) return false;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) || isSaneYear(at.getUTCFullYear());
}

const DAY_OR_INSTANT_MESSAGE = "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with offset";
const isoDayFormat = z.iso.date();
const isoInstantFormat = z.iso.datetime({ offset: true });

/** A calendar day, YYYY-MM-DD (a real date), between MIN_YEAR and MAX_YEAR. */
export function isoDay(message?: string) {
  return z.iso.date(message).refine(withinYears, { message: YEAR_MESSAGE, abort: true });
}

/** An instant with an offset (ISO 8601 date-time), whose date lies between MIN_YEAR and MAX_YEAR. */
export function isoInstant(message?: string) {
  return z.iso.datetime({ offset: true, message }).refine(withinYears, { message: YEAR_MESSAGE, abort: true });
}

/** A calendar day or an instant with an offset, both bounded as above, with one message for each failure. */
export function dayOrInstant(message = DAY_OR_INSTANT_MESSAGE) {
  return z.string().superRefine((value, ctx) => {
    if (!isoDayFormat.safeParse(value).success && !isoInstantFormat.safeParse(value).success)
      ctx.addIssue({ code: "custom", message, continue: false });
    else if (!withinYears(value)) ctx.addIssue({ code: "custom", message: YEAR_MESSAGE, continue: false });
  });
}
