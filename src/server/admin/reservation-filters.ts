import "server-only";
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/server/db";
import { payments, reservations, services, slots } from "@/server/db/schema";
import { containsPattern } from "./list-query";
import type { ReservationFilter, ReservationSort } from "./reservation-query";

/**
 * SQL for the reservation list's filters and sorts, shared by the paged list (reservations.ts) and the CSV export
 * (reservation-export.ts). The table aliases are fixed: r = reservations, s = slots (the builder's `r` and `s` below).
 *
 * The search expressions, the latest-payment conditions and the sort keys stay SQL fragments on purpose: the same
 * pieces are spliced into the list's id page, its count and the export's keyset batches; the keyset step is a row
 * comparison on (key, id) that the builder has no operator for; the search expressions (one ILIKE over the
 * concatenated text, translate() on the phone) are the measured ones. Plain comparisons use the builder's operators
 * on the aliased tables. The rows themselves are read through the builder (selectRows), typed by the schema.
 *
 * Everything here runs under Row Level Security (asUser), and PostgreSQL only pushes a condition into an index scan
 * below a policy when its operators are leakproof (=, <, > on text, uuid, timestamptz are; ILIKE, LIKE, lower() and
 * jsonb operators are not). So the search takes the indexed path where it can (a whole reservation code is an
 * equality on the unique index) and otherwise scans with the cheapest expression measured (bench/README.md, "Staff
 * reservation list").
 */

/** The tables under the aliases the fragments here name. */
export const r = alias(reservations, "r");
export const s = alias(slots, "s");

const CODE = /^BK-?([2-9A-HJKMNP-Z]{4})-?([2-9A-HJKMNP-Z]{4})$/i;
const PHONE = /^[+\d\s()-]+$/;

/**
 * What a search box query means: a whole reservation code (with or without dashes, any case) → that reservation;
 * only digits and phone punctuation (at least 3 digits) → the phone number, ignoring punctuation on both sides;
 * anything else → a substring of the code, the name or the email, case-insensitive.
 */
export function searchCondition(q: string): SQL {
  const code = CODE.exec(q);
  if (code) return eq(r.code, `BK-${code[1]}-${code[2]}`.toUpperCase());
  const digits = q.replace(/\D/g, "");
  if (PHONE.test(q) && digits.length >= 3) {
    return sql`translate(coalesce(r.customer_phone, ''), '+ ()-', '') like ${containsPattern(digits)}`;
  }
  // One ILIKE over the joined text costs about half of three separate ones (measured with EXPLAIN ANALYZE at 100k).
  return sql`(r.code || ' ' || r.customer_name || ' ' || r.customer_email) ilike ${containsPattern(q)}`;
}

export type FilterSql = {
  /** The conditions and-ed together, for the builder's `.where()` (undefined: no filter). */
  where: SQL | undefined;
  /** Whether the conditions read the slot (s), so a query that does not otherwise need it must join it. */
  needsSlot: boolean;
};

export function filterSql(filter: ReservationFilter, extra: SQL[] = []): FilterSql {
  const conditions: SQL[] = [];
  if (filter.q) conditions.push(searchCondition(filter.q));
  if (filter.status?.length) conditions.push(inArray(r.status, filter.status));
  if (filter.serviceId) conditions.push(eq(s.serviceId, filter.serviceId));
  if (filter.from) conditions.push(gte(s.startsAt, filter.from));
  if (filter.to) conditions.push(lt(s.startsAt, filter.to));
  if (filter.payment === "none") {
    conditions.push(sql`not exists (select 1 from payments p0 where p0.reservation_id = r.id)`);
  } else if (filter.payment) {
    // The reservation's payment status is its latest attempt's: that attempt has this status and no later one exists.
    conditions.push(sql`exists (select 1 from payments p0 where p0.reservation_id = r.id and p0.status = ${filter.payment}
      and not exists (select 1 from payments p1 where p1.reservation_id = r.id and p1.attempt > p0.attempt))`);
  }
  conditions.push(...extra);
  return {
    where: and(...conditions),
    needsSlot: Boolean(filter.serviceId || filter.from || filter.to),
  };
}

/**
 * Each sort as a total order (ties broken by id, so pages and export batches never overlap or skip), with the two key
 * columns a keyset cursor reads back (k1, k2). Keys travel as text so timestamps keep their microseconds (a Date
 * would round them to milliseconds and the next batch would repeat or skip a row).
 */
type SortKeys = { k1: SQL<string>; k2: SQL<string> };
type SortSpec = { order: SQL; keys: SortKeys; after: (cursor: [string, string]) => SQL; needsSlot: boolean };

const byTime = (column: SQL, direction: "asc" | "desc", needsSlot: boolean): SortSpec => ({
  order: direction === "asc" ? sql`${column} asc, r.id asc` : sql`${column} desc, r.id desc`,
  keys: { k1: sql<string>`${column}::text`, k2: sql<string>`r.id::text` },
  after: ([k1, k2]) =>
    direction === "asc"
      ? sql`(${column}, r.id) > (${k1}::timestamptz, ${k2}::uuid)`
      : sql`(${column}, r.id) < (${k1}::timestamptz, ${k2}::uuid)`,
  needsSlot,
});

const byCode = (direction: "asc" | "desc"): SortSpec => ({
  order: direction === "asc" ? sql`r.code asc` : sql`r.code desc`,
  keys: { k1: sql<string>`r.code`, k2: sql<string>`''` },
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

/**
 * One list row per reservation (AdminReservationRow's fields, flat) with its slot, service and latest payment
 * attempt, plus a sort's keyset keys (the export's cursor; the list reads and ignores them, two short text columns);
 * the caller adds where, order and limit. Timestamps come back as Date and
 * integers as numbers on both drivers.
 */
export function selectRows(tx: Tx, keys: SortKeys) {
  const p = tx
    .select({ status: payments.status, amountRefunded: payments.amountRefunded, latePayment: payments.latePayment })
    .from(payments)
    .where(eq(payments.reservationId, r.id))
    .orderBy(desc(payments.attempt))
    .limit(1)
    .as("p");
  return tx
    .select({
      id: r.id,
      code: r.code,
      status: r.status,
      quantity: r.quantity,
      amount: r.amount,
      currency: r.currency,
      customerName: r.customerName,
      customerEmail: r.customerEmail,
      customerPhone: r.customerPhone,
      serviceId: s.serviceId,
      nameJa: services.nameJa,
      nameEn: services.nameEn,
      slotId: s.id,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      paymentStatus: p.status,
      amountRefunded: p.amountRefunded,
      latePayment: p.latePayment,
      createdAt: r.createdAt,
      ...keys,
    })
    .from(r)
    .innerJoin(s, eq(s.id, r.slotId))
    .innerJoin(services, eq(services.id, s.serviceId))
    .leftJoinLateral(p, sql`true`)
    .$dynamic();
}

export type RowRecord = Awaited<ReturnType<typeof selectRows>>[number];
