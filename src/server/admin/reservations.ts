import "server-only";
import { count, eq, inArray, sql, type SQL } from "drizzle-orm";
import { asUser, type Tx } from "@/server/db";
import type { AuthContext } from "@/server/auth/guard";
import { filterSql, r, s, selectRows, SORTS, withoutJit, type RowRecord } from "./reservation-filters";
import type { ReservationSearch } from "./reservation-query";

/**
 * The staff reservation list (GET /api/admin/reservations, the /manage list): search by code, name, email or phone;
 * filter by status, service, start date range and payment status; sort; server-side pages. Runs as the signed-in
 * staff member under Row Level Security (asUser), so the database itself decides what they may read.
 *
 * Shape of the read, for speed at 100k reservations (bench/admin-list.ts):
 *   1. the page's ids, from the reservations alone (the slot joined only when a filter or the sort needs it), so
 *      the sort walks an index and a deep page skips bare ids, not fully joined rows;
 *   2. the total: an exact count, or, for a text search (a scan either way), the window count of step 1;
 *   3. the page's rows joined with slot, service and latest payment, for those ids only.
 */
export type AdminReservationRow = {
  id: string;
  code: string;
  status: string;
  quantity: number;
  amount: { amount: number; currency: string };
  customer: { name: string; email: string; phone: string | null };
  service: { id: string; nameJa: string; nameEn: string };
  slot: { id: string; startsAt: string; endsAt: string };
  payment: { status: string; amountRefunded: number; latePayment: boolean } | null;
  createdAt: string;
};

export type ReservationPage = { reservations: AdminReservationRow[]; total: number; page: number; pageSize: number };

export async function searchReservations(auth: AuthContext, search: ReservationSearch): Promise<ReservationPage> {
  const { where, needsSlot } = filterSql(search);
  const sort = SORTS[search.sort];
  const joinSlot = needsSlot || sort.needsSlot;
  const inlineTotal = Boolean(search.q);

  return asUser(auth.claims, async (tx) => {
    await withoutJit(tx);
    // count(*) is a bigint: a string on postgres.js, a number on PGlite; mapWith(Number) makes it a number on both.
    const idQuery = inlineTotal
      ? tx
          .select({ id: r.id, total: sql<number>`count(*) over ()`.mapWith(Number) })
          .from(r)
          .$dynamic()
      : tx.select({ id: r.id }).from(r).$dynamic();
    const ids: { id: string; total?: number }[] = await (joinSlot ? idQuery.innerJoin(s, eq(s.id, r.slotId)) : idQuery)
      .where(where)
      .orderBy(sort.order)
      .limit(search.pageSize)
      .offset((search.page - 1) * search.pageSize);
    const total =
      inlineTotal && ids[0]
        ? (ids[0].total ?? 0)
        : inlineTotal && search.page === 1
          ? 0
          : await countRows(tx, joinSlot, where);
    const rows = await rowsByIds(
      tx,
      ids.map((row) => row.id),
    );
    return { reservations: rows, total, page: search.page, pageSize: search.pageSize };
  });
}

/** How many reservations match (the slot joined only when a condition reads it). */
export async function countRows(tx: Tx, joinSlot: boolean, where: SQL | undefined): Promise<number> {
  const query = tx.select({ total: count() }).from(r).$dynamic();
  const [row] = await (joinSlot ? query.innerJoin(s, eq(s.id, r.slotId)) : query).where(where);
  return row?.total ?? 0;
}

/** The list rows for these ids, in the given order. */
async function rowsByIds(tx: Tx, ids: string[]): Promise<AdminReservationRow[]> {
  if (ids.length === 0) return [];
  const rows = await selectRows(tx, SORTS.createdAt.keys).where(inArray(r.id, ids));
  const byId = new Map(rows.map((row) => [row.id, toAdminRow(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function toAdminRow(row: RowRecord): AdminReservationRow {
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    quantity: row.quantity,
    amount: { amount: row.amount, currency: row.currency },
    customer: { name: row.customerName, email: row.customerEmail, phone: row.customerPhone },
    service: { id: row.serviceId, nameJa: row.nameJa, nameEn: row.nameEn },
    slot: { id: row.slotId, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString() },
    payment: row.paymentStatus
      ? {
          status: row.paymentStatus,
          amountRefunded: row.amountRefunded ?? 0,
          latePayment: row.latePayment ?? false,
        }
      : null,
    createdAt: row.createdAt.toISOString(),
  };
}
