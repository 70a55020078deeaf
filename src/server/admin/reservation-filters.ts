import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/server/db";
import { containsPattern } from "./list-query";
import type { ReservationFilter, ReservationSort } from "./reservation-query";

/**
 * SQL for the reservation list's filters and sorts, shared by the paged list (reservations.ts) and the CSV export
 * (reservation-export.ts). The table aliases are fixed: r = reservations, s = slots.
 *
 * Everything here runs under Row Level Security (asUser), and PostgreSQL only pushes a condition into an index scan
 * below a policy when its operators are leakproof (=, <, > on text, uuid, timestamptz are; ILIKE, LIKE, lower() and
 * jsonb operators are not). So the search takes the indexed path where it can (a whole reservation code is an
 * equality on the unique index) and otherwise scans with the cheapest expression measured (bench/README.md, "Staff
 * reservation list").
 */

const CODE = /^BK-?([2-9A-HJKMNP-Z]{4})-?([2-9A-HJKMNP-Z]{4})$/i;
const PHONE = /^[+\d\s()-]+$/;

/**
 * What a search box query means: a whole reservation code (with or without dashes, any case) → that reservation;
 * only digits and phone punctuation (at least 3 digits) → the phone number, ignoring punctuation on both sides;
 * anything else → a substring of the code, the name or the email, case-insensitive.
 */
export function searchCondition(q: string): SQL {
  const code = CODE.exec(q);
  if (code) return sql`r.code = ${`BK-${code[1]}-${code[2]}`.toUpperCase()}`;
  const digits = q.replace(/\D/g, "");
  if (PHONE.test(q) && digits.length >= 3) {
    return sql`translate(coalesce(r.customer_phone, ''), '+ ()-', '') like ${containsPattern(digits)}`;
  }
  // One ILIKE over the joined text costs about half of three separate ones (measured with EXPLAIN ANALYZE at 100k).
  return sql`(r.code || ' ' || r.customer_name || ' ' || r.customer_email) ilike ${containsPattern(q)}`;
}

export type FilterSql = {
  /** `where …` (or empty). */
  where: SQL;
  /** Whether the conditions read the slot (s), so a query that does not otherwise need it must join it. */
  needsSlot: boolean;
};

export function filterSql(filter: ReservationFilter, extra: SQL[] = []): FilterSql {
  const conditions: SQL[] = [];
  if (filter.q) conditions.push(searchCondition(filter.q));
  if (filter.status?.length)
    conditions.push(
      sql`r.status in (${sql.join(
        filter.status.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  if (filter.serviceId) conditions.push(sql`s.service_id = ${filter.serviceId}::uuid`);
  if (filter.from) conditions.push(sql`s.starts_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`s.starts_at < ${filter.to.toISOString()}::timestamptz`);
  if (filter.payment === "none") {
    conditions.push(sql`not exists (select 1 from payments p0 where p0.reservation_id = r.id)`);
  } else if (filter.payment) {
    // The reservation's payment status is its latest attempt's: that attempt has this status and no later one exists.
    conditions.push(sql`exists (select 1 from payments p0 where p0.reservation_id = r.id and p0.status = ${filter.payment}
      and not exists (select 1 from payments p1 where p1.reservation_id = r.id and p1.attempt > p0.attempt))`);
  }
  conditions.push(...extra);
  return {
    where: conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``,
    needsSlot: Boolean(filter.serviceId || filter.from || filter.to),
  };
}

/**
 * Each sort as a total order (ties broken by id, so pages and export batches never overlap or skip), with the two key
 * columns a keyset cursor reads back (selected as k1, k2). Keys travel as text so timestamps keep their microseconds.
 */
type SortSpec = { order: SQL; keys: SQL; after: (cursor: [string, string]) => SQL; needsSlot: boolean };

const byTime = (column: SQL, direction: "asc" | "desc", needsSlot: boolean): SortSpec => ({
  order: direction === "asc" ? sql`${column} asc, r.id asc` : sql`${column} desc, r.id desc`,
  keys: sql`${column}::text as k1, r.id::text as k2`,
  after: ([k1, k2]) =>
    direction === "asc"
      ? sql`(${column}, r.id) > (${k1}::timestamptz, ${k2}::uuid)`
      : sql`(${column}, r.id) < (${k1}::timestamptz, ${k2}::uuid)`,
  needsSlot,
});

const byCode = (direction: "asc" | "desc"): SortSpec => ({
  order: direction === "asc" ? sql`r.code asc` : sql`r.code desc`,
  keys: sql`r.code as k1, '' as k2`,
  after: ([k1]) => (direction === "asc" ? sql`r.code > ${k1}` : sql`r.code < ${k1}`),
  needsSlot: false,
});

export const SORTS: Record<ReservationSort, SortSpec> = {
  startsAt: byTime(sql`s.starts_at`, "asc", true),
  "-startsAt": byTime(sql`s.starts_at`, "desc", true),
  createdAt: byTime(sql`r.created_at`, "asc", false),
  "-createdAt": byTime(sql`r.created_at`, "desc", false),
  code: byCode("asc"),
  "-code": byCode("desc"),
};

/**
 * The list's read is a handful of short index-driven statements; PostgreSQL's JIT compiler (on by default, triggered
 * by cost estimates of the full-scan variants) spent ~400 ms compiling for queries that run in 50 ms
 * (bench/README.md). Off for this transaction only (SET LOCAL semantics: pooler safe).
 */
export async function withoutJit(tx: Tx): Promise<void> {
  await tx.execute(sql`select set_config('jit', 'off', true)`);
}

/** The columns of one list row (AdminReservationRow) over `reservations r` joined as in ROW_SOURCE. */
export const ROW_COLUMNS = sql`r.id, r.code, r.status, r.quantity, r.amount, r.currency, r.customer_name, r.customer_email,
  r.customer_phone, s.service_id, sv.name_ja, sv.name_en, s.id as slot_id, s.starts_at, s.ends_at,
  p.status as payment_status, p.amount_refunded, p.late_payment, r.created_at`;

export const ROW_SOURCE = sql`reservations r
  join slots s on s.id = r.slot_id
  join services sv on sv.id = s.service_id
  left join lateral (
    select status, amount_refunded, late_payment from payments
     where reservation_id = r.id order by attempt desc limit 1
  ) p on true`;

export type RowRecord = {
  id: string;
  code: string;
  status: string;
  quantity: number;
  amount: number;
  currency: string;
  customer_name: string;
  customer_email: string;
  customer_phone: string | null;
  service_id: string;
  name_ja: string;
  name_en: string;
  slot_id: string;
  starts_at: string | Date;
  ends_at: string | Date;
  payment_status: string | null;
  amount_refunded: number | null;
  late_payment: boolean | null;
  created_at: string | Date;
};
