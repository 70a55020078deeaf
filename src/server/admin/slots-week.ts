import { isSaneYear } from "@/lib/date-input";
import { addDays, formatLocalDate, isoWeekday, localDateOf, zonedInstant, type LocalDate } from "@/lib/time";

/**
 * Calendar weeks in the business time zone: Monday to Sunday, each day from local midnight to the next (23 or 25
 * hours on a DST change elsewhere). Pure, so the page and the API agree on what "the week of 2030-01-09" means.
 */
export type CalendarWeek = {
  /** Monday, YYYY-MM-DD. */
  start: string;
  days: { key: string; from: Date; to: Date }[];
  from: Date;
  to: Date;
  previous: string;
  next: string;
};

/** A YYYY-MM-DD that is a real date between the years 2000 and 2100 (src/lib/date-input.ts), else null. */
export function parseLocalDate(value: string | undefined): LocalDate | null {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m || !isSaneYear(Number(m[1]))) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  // Round-trip through addDays to reject impossible dates such as 2030-02-30.
  return formatLocalDate(addDays(date, 0)) === value ? date : null;
}

/** The week containing `day` (any YYYY-MM-DD), or the current week when it is missing or not a date. */
export function calendarWeek(day: string | undefined, now: Date, timeZone: string): CalendarWeek {
  const anchor = parseLocalDate(day) ?? localDateOf(now, timeZone);
  const monday = addDays(anchor, 1 - isoWeekday(anchor));
  const days = Array.from({ length: 7 }, (_, i) => {
    const date = addDays(monday, i);
    return {
      key: formatLocalDate(date),
      from: zonedInstant(date, 0, 0, timeZone),
      to: zonedInstant(addDays(date, 1), 0, 0, timeZone),
    };
  });
  return {
    start: formatLocalDate(monday),
    days,
    from: days[0]!.from,
    to: days[6]!.to,
    previous: formatLocalDate(addDays(monday, -7)),
    next: formatLocalDate(addDays(monday, 7)),
  };
}

/** Midnight of a YYYY-MM-DD in the zone, or the instant an ISO date-time names. */
export function instantOf(value: string, timeZone: string): Date {
  const date = parseLocalDate(value);
  return date ? zonedInstant(date, 0, 0, timeZone) : new Date(value);
}

/** The instant of a wall-clock date (YYYY-MM-DD) and time (HH:MM) in the zone. */
export function wallClockInstant(date: string, time: string, timeZone: string): Date {
  const day = parseLocalDate(date);
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  if (!day || !m) throw new RangeError(`not a wall-clock date and time: ${date} ${time}`);
  return zonedInstant(day, Number(m[1]), Number(m[2]), timeZone);
}
