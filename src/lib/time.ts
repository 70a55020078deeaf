import { TZDate } from "@date-fns/tz";

/** A calendar date in a time zone, e.g. { year: 2026, month: 11, day: 24 } (month 1–12). */
export type LocalDate = { year: number; month: number; day: number };

/** The instant at a wall-clock time in a zone. DST-safe: a time in a spring-forward gap moves forward by the gap. */
export function zonedInstant(date: LocalDate, hour: number, minute: number, timeZone: string): Date {
  return new Date(new TZDate(date.year, date.month - 1, date.day, hour, minute, 0, timeZone).getTime());
}

/** The calendar date an instant falls on in a zone. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const z = new TZDate(instant.getTime(), timeZone);
  return { year: z.getFullYear(), month: z.getMonth() + 1, day: z.getDate() };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function formatLocalDate(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}
