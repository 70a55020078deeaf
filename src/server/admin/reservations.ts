import "server-only";
import { sql } from "drizzle-orm";
import { asUser, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import type { AuthContext } from "@/server/auth/guard";
import { filterSql, ROW_COLUMNS, ROW_SOURCE, SORTS, withoutJit, type RowRecord } from "./reservation-filters";
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
  const from = needsSlot || sort.needsSlot ? sql`reservations r join slots s on s.id = r.slot_id` : sql`reservations r`;
  const inlineTotal = Boolean(search.q);

  return asUser(auth.claims, async (tx) => {
    await withoutJit(tx);
    const ids = await queryRows<{ id: string; total?: number }>(
      tx,
      sql`select r.id ${inlineTotal ? sql`, count(*) over ()::int as total` : sql``}
            from ${from} ${where}
           order by ${sort.order}
           limit ${search.pageSize} offset ${(search.page - 1) * search.pageSize}`,
    );
    const total =
      inlineTotal && ids[0]
        ? Number(ids[0].total)
        : inlineTotal && search.page === 1
          ? 0
          : await countRows(tx, sql`select count(*)::int as total from ${from} ${where}`);
    const rows = await rowsByIds(
      tx,
      ids.map((r) => r.id),
    );
    return { reservations: rows, total, page: search.page, pageSize: search.pageSize };
  });
}

async function countRows(tx: Tx, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ total: number }>(tx, query);
  return Number(row?.total ?? 0);
}

/** The list rows for these ids, in the given order. */
async function rowsByIds(tx: Tx, ids: string[]): Promise<AdminReservationRow[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<RowRecord>(
    tx,
    sql`select ${ROW_COLUMNS} from ${ROW_SOURCE} where r.id in (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  );
  const byId = new Map(rows.map((r) => [r.id, toAdminRow(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

const iso = (v: string | Date) => new Date(v).toISOString();

export function toAdminRow(r: RowRecord): AdminReservationRow {
  return {
    id: r.id,
    code: r.code,
    status: r.status,
    quantity: Number(r.quantity),
    amount: { amount: Number(r.amount), currency: r.currency },
    customer: { name: r.customer_name, email: r.customer_email, phone: r.customer_phone },
    service: { id: r.service_id, nameJa: r.name_ja, nameEn: r.name_en },
    slot: { id: r.slot_id, startsAt: iso(r.starts_at), endsAt: iso(r.ends_at) },
    payment: r.payment_status
      ? {
          status: r.payment_status,
          amountRefunded: Number(r.amount_refunded ?? 0),
          latePayment: r.late_payment ?? false,
        }
      : null,
    createdAt: iso(r.created_at),
  };
}
