import { describe, expect, it } from "vitest";
import { buildIcs, escapeText, foldLine, icsUtc, type IcsEvent } from "./ics";

const event: IcsEvent = {
  uid: "6f1c2d3e-0000-4000-8000-000000000001@slotbook",
  sequence: 0,
  stamp: "2026-11-01T00:00:00Z",
  startsAt: "2026-11-24T05:00:00.000Z",
  endsAt: "2026-11-24T06:00:00.000Z",
  summary: "Cut, wash; blow-dry",
  description: "予約番号: BK-7Q4M-X2HD\n予約の確認・変更: https://book.example.com/reservations/BK-7Q4M-X2HD?token=abc",
  url: "https://book.example.com/reservations/BK-7Q4M-X2HD?token=abc,def",
};

/** Undoes folding (RFC 5545 §3.1) and splits into content lines, the way a calendar client reads the file. */
function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .slice(0, -1);
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

function valueOf(lines: string[], name: string): string | undefined {
  const line = lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
  return line?.slice(line.indexOf(":") + 1);
}

describe("buildIcs", () => {
  const ics = buildIcs({ productId: "-//slotbook//Booking notifications//EN", method: "PUBLISH", event });
  const lines = unfold(ics);

  it("uses CRLF for every line break and ends with one", () => {
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("is one VEVENT inside a PUBLISH VCALENDAR", () => {
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(lines).toContain("VERSION:2.0");
    expect(lines).toContain("METHOD:PUBLISH");
    expect(lines.filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
    expect(lines.indexOf("BEGIN:VEVENT")).toBeLessThan(lines.indexOf("END:VEVENT"));
  });

  it("writes UID, SEQUENCE and the instants in UTC Z form", () => {
    expect(valueOf(lines, "UID")).toBe(event.uid);
    expect(valueOf(lines, "SEQUENCE")).toBe("0");
    expect(valueOf(lines, "DTSTART")).toBe("20261124T050000Z");
    expect(valueOf(lines, "DTEND")).toBe("20261124T060000Z");
    expect(valueOf(lines, "DTSTAMP")).toBe("20261101T000000Z");
  });

  it("escapes commas, semicolons and newlines in TEXT values and they read back unchanged", () => {
    expect(valueOf(lines, "SUMMARY")).toBe("Cut\\, wash\\; blow-dry");
    const description = valueOf(lines, "DESCRIPTION") ?? "";
    expect(description).not.toContain("\n");
    expect(unescapeText(description)).toBe(event.description);
  });

  it("writes the URL as a URI, unescaped", () => {
    expect(valueOf(lines, "URL")).toBe(event.url);
  });

  it("folds lines longer than 75 octets (the description here is longer)", () => {
    const physical = ics.split("\r\n");
    expect(physical.some((l) => l.startsWith(" "))).toBe(true);
    for (const line of physical) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  });

  it("raises SEQUENCE for a later version of the same event", () => {
    const updated = unfold(buildIcs({ productId: "-//x//y//EN", method: "PUBLISH", event: { ...event, sequence: 3 } }));
    expect(valueOf(updated, "SEQUENCE")).toBe("3");
    expect(valueOf(updated, "UID")).toBe(event.uid);
  });

  it("refuses a URL that could break out of its line", () => {
    expect(() =>
      buildIcs({ productId: "p", method: "PUBLISH", event: { ...event, url: "https://x\r\nATTENDEE:y" } }),
    ).toThrow(RangeError);
  });
});

describe("foldLine", () => {
  it("leaves a line of exactly 75 octets alone and folds one of 76", () => {
    expect(foldLine("a".repeat(75))).toBe("a".repeat(75));
    expect(foldLine("a".repeat(76))).toBe(`${"a".repeat(75)}\r\n a`);
  });

  it("never splits a multi-byte character and keeps every physical line within 75 octets", () => {
    const line = `DESCRIPTION:${"予約の確認".repeat(20)}😀${"あ".repeat(30)}`;
    const folded = foldLine(line);
    const parts = folded.split("\r\n");
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    // Every part decodes on its own: a cut character would show up as U+FFFD after a byte round trip.
    for (const part of parts) expect(new TextDecoder().decode(new TextEncoder().encode(part))).not.toContain("\uFFFD");
    expect(folded.replace(/\r\n /g, "")).toBe(line);
  });
});

describe("escapeText and icsUtc", () => {
  it("escapes backslashes before the other characters", () => {
    expect(escapeText("a\\b;c,d\r\ne\nf")).toBe("a\\\\b\\;c\\,d\\ne\\nf");
  });

  it("formats an instant with an offset as UTC", () => {
    expect(icsUtc("2026-11-24T14:00:00+09:00")).toBe("20261124T050000Z");
    expect(() => icsUtc("not a date")).toThrow(RangeError);
  });
});
