import { describe, expect, it } from "vitest";
import { CSV_BOM, csvCell, csvHeader, csvLine, csvRow, localTimestamp } from "./reservation-csv";
import type { AdminReservationRow } from "./reservations";

describe("reservation CSV", () => {
  it("quotes per RFC 4180: commas, quotes and line breaks; doubles quotes; leaves plain text alone", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell("山田 花子")).toBe("山田 花子");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(false)).toBe("false");
    expect(csvLine(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"\r\n');
  });

  it("defuses text that a spreadsheet would run as a formula", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"])
      expect(csvCell(`${start}1+1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell("+81 90-1234-5678")).toBe("'+81 90-1234-5678");
    expect(csvCell("a=b")).toBe("a=b");
    // Numbers are values, not text: a negative amount would stay a number.
    expect(csvCell(-5)).toBe("-5");
  });

  it("starts with the BOM and a header row in the chosen language", () => {
    expect(csvHeader("ja", "Asia/Tokyo").startsWith(`${CSV_BOM}予約番号,状態,サービス,開始日時 (Asia/Tokyo)`)).toBe(
      true,
    );
    expect(csvHeader("en", "Europe/Berlin").startsWith(`${CSV_BOM}Code,Status,Service,Starts (Europe/Berlin)`)).toBe(
      true,
    );
    expect(csvHeader("ja", "Asia/Tokyo").endsWith("\r\n")).toBe(true);
  });

  it("writes local times and one row per reservation", () => {
    expect(localTimestamp("2030-01-06T15:00:00.000Z", "Asia/Tokyo")).toBe("2030-01-07 00:00");
    expect(localTimestamp("2030-07-01T10:05:00.000Z", "Europe/Berlin")).toBe("2030-07-01 12:05");
    const row: AdminReservationRow = {
      id: "6f1c2f44-5a4e-4c1e-9a43-0d6f7e0c0b11",
      code: "BK-ABCD-EFGH",
      status: "confirmed",
      quantity: 2,
      amount: { amount: 3000, currency: "JPY" },
      customer: { name: "Taro, Jr.", email: "taro@example.com", phone: null },
      service: { id: "s", nameJa: "ヨガ", nameEn: "Yoga" },
      slot: { id: "x", startsAt: "2030-01-07T00:00:00.000Z", endsAt: "2030-01-07T01:00:00.000Z" },
      payment: { status: "partially_refunded", amountRefunded: 500, latePayment: false },
      createdAt: "2030-01-01T03:04:05.000Z",
    };
    expect(csvRow(row, "en", "Asia/Tokyo")).toBe(
      'BK-ABCD-EFGH,confirmed,Yoga,2030-01-07 09:00,2030-01-07 10:00,2,3000,JPY,"Taro, Jr.",taro@example.com,,partially_refunded,500,false,2030-01-01 12:04,6f1c2f44-5a4e-4c1e-9a43-0d6f7e0c0b11\r\n',
    );
    expect(csvRow({ ...row, payment: null }, "ja", "Asia/Tokyo")).toContain(",ヨガ,");
    expect(csvRow({ ...row, payment: null }, "ja", "Asia/Tokyo")).toContain(",none,0,false,");
  });
});
