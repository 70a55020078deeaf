/**
 * A minimal iCalendar (RFC 5545) writer for the one event a booking email carries. Hand-written rather than a
 * dependency because the format needed is small and its rules are exact: CRLF line endings, content lines folded at
 * 75 octets (never inside a UTF-8 character), TEXT values escaped, instants in UTC ("Z" form).
 */

export type IcsEvent = {
  /** Stable across every message about the reservation, so calendars update the event instead of adding one. */
  uid: string;
  /** Raised on each change (RFC 5545 §3.8.7.4); a calendar keeps the version with the highest sequence. */
  sequence: number;
  /** When this version of the event was issued. */
  stamp: string | Date;
  startsAt: string | Date;
  endsAt: string | Date;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  status?: "CONFIRMED" | "TENTATIVE" | "CANCELLED";
};

export type IcsCalendar = { productId: string; method: "PUBLISH"; event: IcsEvent };

const CRLF = "\r\n";
const MAX_OCTETS = 75;

/** 2026-11-24T05:00:00.000Z → 20261124T050000Z */
export function icsUtc(at: string | Date): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a valid instant for iCalendar: ${String(at)}`);
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, and every line break as "\n". */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * Folds one content line (RFC 5545 §3.1): no physical line longer than 75 octets, continuation lines start with
 * one space (which counts toward the 75). Splits only between code points, so a multi-byte character is never cut.
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const lines: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = lines.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      lines.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(`${CRLF} `);
}

function property(name: string, value: string): string {
  return foldLine(`${name}:${value}`);
}

export function buildIcs(calendar: IcsCalendar): string {
  const { event } = calendar;
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    property("PRODID", calendar.productId),
    "CALSCALE:GREGORIAN",
    `METHOD:${calendar.method}`,
    "BEGIN:VEVENT",
    property("UID", event.uid),
    `SEQUENCE:${Math.max(0, Math.trunc(event.sequence))}`,
    `DTSTAMP:${icsUtc(event.stamp)}`,
    `DTSTART:${icsUtc(event.startsAt)}`,
    `DTEND:${icsUtc(event.endsAt)}`,
    property("SUMMARY", escapeText(event.summary)),
  ];
  if (event.description !== undefined) lines.push(property("DESCRIPTION", escapeText(event.description)));
  if (event.location !== undefined) lines.push(property("LOCATION", escapeText(event.location)));
  // URL is a URI value, not TEXT: it is written as is (a comma in a query string must stay a comma).
  if (event.url !== undefined) {
    if (/[\s"]/.test(event.url)) throw new RangeError("An iCalendar URL may not contain whitespace or quotes");
    lines.push(property("URL", event.url));
  }
  lines.push(`STATUS:${event.status ?? "CONFIRMED"}`, "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR");
  return lines.join(CRLF) + CRLF;
}
