import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { GET as exportRoute } from "@/app/api/admin/reservations/export/route";
import { EXPORT_BATCH } from "@/server/admin/reservation-export";
import { queryRows } from "@/server/db/client";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectProblem } from "../helpers/http";

/** RFC 4180 in reverse, strictly: the export must parse back into exactly what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endCell();
    else if (c === "\r" && text[i + 1] === "\n") {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else if (c === "\n" || c === "\r") throw new Error(`bare line break at ${i}`);
    else cell += c;
  }
  if (cell !== "" || row.length) throw new Error("the last line does not end with CRLF");
  return rows;
}

/**
 * GET /api/admin/reservations/export: a streamed CSV (UTF-8 with BOM, RFC 4180, formula-safe) of exactly the rows the
 * list's filters match, in batches, with an audit row per export.
 */
describeEachDatabase("admin API: reservation CSV export", (ctx) => {
  let staff: SignedIn;
  let user: SignedIn;
  let serviceId = "";
  let bulkServiceId = "";
  const startsAt = new Date("2031-03-10T01:00:00Z"); // 10:00 in Tokyo

  beforeAll(async () => {
    staff = await signedInAs(ctx.db, "staff");
    user = await signedInAs(ctx.db, "user");
    serviceId = (await newService(ctx.db, { nameJa: '書き出し, "試験"', nameEn: "Export test" })).id;
    const slot = await insertSlot(ctx.db, { serviceId, startsAt, capacity: 10 });
    // Written straight into the table: the export must be safe whatever the data, however it got there.
    const tricky: [string, string, string, string | null][] = [
      ["BK-TRCK-0001", "confirmed", '=HYPERLINK("http://evil.example","x")', "+81 90-1234-5678"],
      ["BK-TRCK-0002", "cancelled", '山田, "花子"\n二行目', null],
      ["BK-TRCK-0003", "confirmed", "@SUM(A1)", "-1"],
    ];
    for (const [code, status, name, phone] of tricky) {
      await ctx.db
        .execute(sql`insert into reservations (code, slot_id, customer_name, customer_email, customer_phone, quantity, status, amount, currency)
        values (${code}, ${slot.id}::uuid, ${name}, ${`${code.toLowerCase()}@example.com`}, ${phone}, 1, ${status}, 1000, 'JPY')`);
    }
    bulkServiceId = (await newService(ctx.db, { nameEn: "Bulk" })).id;
    const bulkSlot = await insertSlot(ctx.db, {
      serviceId: bulkServiceId,
      startsAt: new Date(Date.now() + 30 * 24 * HOUR),
      capacity: 10,
    });
    await ctx.db
      .execute(sql`insert into reservations (code, slot_id, customer_name, customer_email, quantity, status, amount, currency, created_at)
      select 'BK-BULK-' || lpad(g::text, 4, '0'), ${bulkSlot.id}::uuid, 'Bulk ' || g, 'bulk' || g || '@example.com', 1, 'confirmed', 0, 'JPY',
             now() - make_interval(secs => g % 7)
        from generate_series(1, ${EXPORT_BATCH * 2 + 50}) g`);
  });

  const download = (query: string, who: SignedIn | null = staff, headers: Record<string, string> = {}) =>
    callRoute(exportRoute, `/api/admin/reservations/export${query}`, {
      headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...headers },
    });

  it("401 without a session, 403 for a customer, 422 for a bad filter (and no audit row for any of them)", async () => {
    const before = await snapshot(ctx.db);
    await expectProblem(await download("", null), 401, "unauthorized");
    await expectProblem(await download("", user), 403, "forbidden");
    await expectProblem(await download("?status=bogus"), 422, "validation_failed");
    await expectProblem(await download("?page=2"), 422, "validation_failed");
    await expectProblem(await download("?from=2031-03-10&to=2031-03-01"), 422, "validation_failed");
    expect(await snapshot(ctx.db)).toEqual(before);
  });

  it("streams UTF-8 with a BOM, Japanese headers, RFC 4180 quoting and formula-safe cells, filtered, as an attachment", async () => {
    const res = await download(`?serviceId=${serviceId}&sort=code&from=2031-03-10&to=2031-03-10`, staff, {
      "x-request-id": "req-export-0001",
      "x-forwarded-for": "192.0.2.8",
    });
    expect(res.status).toBe(200);
    expect(res.body).toBeInstanceOf(ReadableStream);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="reservations-\d{8}-\d{4}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes).slice(1));
    expect(rows[0]).toEqual([
      "予約番号",
      "状態",
      "サービス",
      "開始日時 (Asia/Tokyo)",
      "終了日時 (Asia/Tokyo)",
      "人数",
      "金額",
      "通貨",
      "お客様名",
      "メールアドレス",
      "電話番号",
      "支払い状態",
      "返金額",
      "遅延入金",
      "受付日時 (Asia/Tokyo)",
      "予約ID",
    ]);
    expect(rows.slice(1).map((r) => r.slice(0, 13))).toEqual([
      [
        "BK-TRCK-0001",
        "confirmed",
        '書き出し, "試験"',
        "2031-03-10 10:00",
        "2031-03-10 11:00",
        "1",
        "1000",
        "JPY",
        `'=HYPERLINK("http://evil.example","x")`,
        "bk-trck-0001@example.com",
        "'+81 90-1234-5678",
        "none",
        "0",
      ],
      [
        "BK-TRCK-0002",
        "cancelled",
        '書き出し, "試験"',
        "2031-03-10 10:00",
        "2031-03-10 11:00",
        "1",
        "1000",
        "JPY",
        '山田, "花子"\n二行目',
        "bk-trck-0002@example.com",
        "",
        "none",
        "0",
      ],
      [
        "BK-TRCK-0003",
        "confirmed",
        '書き出し, "試験"',
        "2031-03-10 10:00",
        "2031-03-10 11:00",
        "1",
        "1000",
        "JPY",
        "'@SUM(A1)",
        "bk-trck-0003@example.com",
        "'-1",
        "none",
        "0",
      ],
    ]);

    const [audit] = await queryRows<{
      actor_id: string;
      actor_role: string;
      ip: string;
      entity_type: string;
      after: { rowCount: number; filters: Record<string, unknown> };
    }>(
      ctx.db,
      sql`select actor_id::text, actor_role, ip, entity_type, after from audit_log where action = 'reservations.exported' and request_id = 'req-export-0001'`,
    );
    expect(audit).toEqual({
      actor_id: staff.userId,
      actor_role: "staff",
      ip: "192.0.2.8",
      entity_type: "reservations",
      after: {
        format: "csv",
        rowCount: 3,
        filters: { serviceId, sort: "code", from: "2031-03-09T15:00:00.000Z", to: "2031-03-10T15:00:00.000Z" },
      },
    });
  });

  it("respects status filters and writes English headers for an English session", async () => {
    const res = await download(`?serviceId=${serviceId}&status=cancelled`, staff, { cookie: "NEXT_LOCALE=en" });
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ""));
    expect(rows[0]?.slice(0, 4)).toEqual(["Code", "Status", "Service", "Starts (Asia/Tokyo)"]);
    expect(rows.slice(1).map((r) => [r[0], r[2]])).toEqual([["BK-TRCK-0002", "Export test"]]);
  });

  it("reads past the batch size in keyset order without gaps or repeats", async () => {
    for (const sort of ["-createdAt", "code", "-startsAt"]) {
      const rows = parseCsv(
        (await (await download(`?serviceId=${bulkServiceId}&sort=${sort}`)).text()).replace(/^\uFEFF/, ""),
      ).slice(1);
      const codes = rows.map((r) => r[0] as string);
      expect(codes).toHaveLength(EXPORT_BATCH * 2 + 50);
      expect(new Set(codes).size).toBe(codes.length);
      if (sort === "code") expect(codes).toEqual([...codes].sort());
      if (sort === "-createdAt") {
        const booked = rows.map((r) => r[14] as string);
        expect(booked).toEqual([...booked].sort().reverse());
      }
    }
  });
});
