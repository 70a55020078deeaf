import type { Locale } from "@/lib/locale";
import type { AdminReservationRow } from "./reservations";

/**
 * The CSV the reservation export streams: RFC 4180 (comma, CRLF, fields with a comma, quote or line break quoted, a
 * quote doubled), UTF-8 with a byte order mark so Excel opens Japanese text correctly, and safe to open in a
 * spreadsheet: a text cell starting with = + - @ (or a tab or carriage return) gets a leading ' so it is never run
 * as a formula (customer names, emails and phone numbers are typed by anyone).
 *
 * Column headers follow the staff member's language (the locale cookie, Japanese by default); values do not: status
 * and payment codes stay machine-readable, times are "YYYY-MM-DD HH:mm" in the business time zone (named in the
 * header; Excel reads it as a date), money is the integer amount in the currency's minor unit next to its code.
 */
export const CSV_BOM = "\uFEFF";

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

const HEADERS: Record<Locale, (timeZone: string) => string[]> = {
  ja: (tz) => [
    "予約番号",
    "状態",
    "サービス",
    `開始日時 (${tz})`,
    `終了日時 (${tz})`,
    "人数",
    "金額",
    "通貨",
    "お客様名",
    "メールアドレス",
    "電話番号",
    "支払い状態",
    "返金額",
    "遅延入金",
    `受付日時 (${tz})`,
    "予約ID",
  ],
  en: (tz) => [
    "Code",
    "Status",
    "Service",
    `Starts (${tz})`,
    `Ends (${tz})`,
    "Guests",
    "Amount",
    "Currency",
    "Customer name",
    "Email",
    "Phone",
    "Payment status",
    "Amount refunded",
    "Late payment",
    `Booked at (${tz})`,
    "Reservation ID",
  ],
};

export function csvHeader(locale: Locale, timeZone: string): string {
  return CSV_BOM + csvLine(HEADERS[locale](timeZone));
}

/**
 * One formatter per zone: building an Intl.DateTimeFormat costs far more than using one (3 per exported row). The
 * Swedish locale writes exactly "2030-01-07 09:00" (ISO date, 24-hour time), the cheapest way to get that shape;
 * reservation-csv.test.ts pins it.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2030-01-07 09:00" in the zone. */
export function localTimestamp(at: string, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("sv-SE", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(at));
}

export function csvRow(r: AdminReservationRow, locale: Locale, timeZone: string): string {
  return csvLine([
    r.code,
    r.status,
    locale === "en" ? r.service.nameEn : r.service.nameJa,
    localTimestamp(r.slot.startsAt, timeZone),
    localTimestamp(r.slot.endsAt, timeZone),
    r.quantity,
    r.amount.amount,
    r.amount.currency,
    r.customer.name,
    r.customer.email,
    r.customer.phone,
    r.payment?.status ?? "none",
    r.payment?.amountRefunded ?? 0,
    r.payment?.latePayment ?? false,
    localTimestamp(r.createdAt, timeZone),
    r.id,
  ]);
}
