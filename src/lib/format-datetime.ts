/**
 * Dates and times as customers read them, always in the business time zone (not the browser's): Japanese style
 * "2026年11月24日(火) 14:00", English "Tue, Nov 24, 2026 14:00". Pure Intl, so it runs on the server and in the browser.
 */
type Instant = string | Date;

function intlLocale(locale: string): string {
  return locale === "en" ? "en-US" : "ja-JP";
}

export function formatDate(at: Instant, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    year: "numeric",
    month: locale === "en" ? "short" : "long",
    day: "numeric",
    weekday: "short",
  }).format(new Date(at));
}

/** A day heading without the year, e.g. "11月24日(火)" / "Tue, Nov 24". */
export function formatDay(at: Instant, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    month: locale === "en" ? "short" : "long",
    day: "numeric",
    weekday: "short",
  }).format(new Date(at));
}

/** 24-hour clock in both languages, e.g. "14:00". */
export function formatTime(at: Instant, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(at));
}

export function formatDateTime(at: Instant, locale: string, timeZone: string): string {
  return `${formatDate(at, locale, timeZone)} ${formatTime(at, locale, timeZone)}`;
}

/** "2026年11月24日(火) 14:00–15:00" */
export function formatSlotRange(startsAt: Instant, endsAt: Instant, locale: string, timeZone: string): string {
  return `${formatDateTime(startsAt, locale, timeZone)}–${formatTime(endsAt, locale, timeZone)}`;
}

/** The calendar day an instant falls on in the zone, as YYYY-MM-DD (a stable key for grouping). */
export function dayKey(at: Instant, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(at),
  );
}

/** Groups items by their day in the zone, keeping the input order (callers pass them sorted by start). */
export function groupByDay<T extends { startsAt: string }>(
  items: T[],
  timeZone: string,
): { day: string; items: T[] }[] {
  const groups: { day: string; items: T[] }[] = [];
  for (const item of items) {
    const day = dayKey(item.startsAt, timeZone);
    const last = groups.at(-1);
    if (last && last.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}

/** mm:ss for a countdown; never negative. Hours roll into minutes (a 90-minute hold shows 90:00). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}
