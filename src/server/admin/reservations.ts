import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { asUser } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { reservationStatuses } from "@/server/db/schema";
import type { AuthContext } from "@/server/auth/guard";

/**
 * The staff reservation list (GET /api/admin/reservations, and the /manage list built on it): search by code, name,
 * email or phone; filter by status, service, start date range and payment status; sort; server-side pages. Runs as
 * the signed-in staff member under Row Level Security (asUser), so the database itself decides what they may read.
 */
export const reservationSorts = ["startsAt", "-startsAt", "createdAt", "-createdAt", "code", "-code"] as const;
export const paymentFilters = ["none", "pending", "succeeded", "failed", "expired", "cancelled", "refunded", "partially_refunded"] as const;

export type ReservationSearch = {
  q?: string;
  status?: (typeof reservationStatuses)[number][];
  serviceId?: string;
  from?: Date;
  to?: Date;
  payment?: (typeof paymentFilters)[number];
  sort: (typeof reservationSorts)[number];
  page: number;
  pageSize: number;
};

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

type Row = {
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
  total: number;
};

const ORDER: Record<ReservationSearch["sort"], SQL> = {
  startsAt: sql`s.starts_at asc, r.id asc`,
  "-startsAt": sql`s.starts_at desc, r.id desc`,
  createdAt: sql`r.created_at asc, r.id asc`,
  "-createdAt": sql`r.created_at desc, r.id desc`,
  code: sql`r.code asc`,
  "-code": sql`r.code desc`,
};

export async function searchReservations(
  auth: AuthContext,
  search: ReservationSearch,
): Promise<{ reservations: AdminReservationRow[]; total: number; page: number; pageSize: number }> {
  const filters: SQL[] = [];
  if (search.q) {
    const like = `%${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const digits = search.q.replace(/\D/g, "");
    filters.push(sql`(r.code ilike ${like} or r.customer_name ilike ${like} or r.customer_email ilike ${like}
      ${digits.length >= 3 ? sql`or regexp_replace(coalesce(r.customer_phone, ''), '\\D', '', 'g') like ${`%${digits}%`}` : sql``})`);
  }
  if (search.status?.length) filters.push(sql`r.status in (${sql.join(search.status.map((s) => sql`${s}`), sql`, `)})`);
  if (search.serviceId) filters.push(sql`s.service_id = ${search.serviceId}::uuid`);
  if (search.from) filters.push(sql`s.starts_at >= ${search.from.toISOString()}::timestamptz`);
  if (search.to) filters.push(sql`s.starts_at < ${search.to.toISOString()}::timestamptz`);
  if (search.payment === "none") filters.push(sql`p.status is null`);
  else if (search.payment) filters.push(sql`p.status = ${search.payment}`);
  const where = filters.length ? sql`where ${sql.join(filters, sql` and `)}` : sql``;

  const rows = await asUser(auth.claims, (tx) =>
    queryRows<Row>(
      tx,
      sql`select r.id, r.code, r.status, r.quantity, r.amount, r.currency, r.customer_name, r.customer_email,
                 r.customer_phone, s.service_id, sv.name_ja, sv.name_en, s.id as slot_id, s.starts_at, s.ends_at,
                 p.status as payment_status, p.amount_refunded, p.late_payment, r.created_at,
                 count(*) over ()::int as total
            from reservations r
            join slots s on s.id = r.slot_id
            join services sv on sv.id = s.service_id
            left join lateral (
              select status, amount_refunded, late_payment from payments
               where reservation_id = r.id order by attempt desc limit 1
            ) p on true
          ${where}
          order by ${ORDER[search.sort]}
          limit ${search.pageSize} offset ${(search.page - 1) * search.pageSize}`,
    ),
  );
  const iso = (v: string | Date) => new Date(v).toISOString();
  return {
    total: rows[0]?.total ?? (search.page === 1 ? 0 : await countOnly(auth, where)),
    page: search.page,
    pageSize: search.pageSize,
    reservations: rows.map((r) => ({
      id: r.id,
      code: r.code,
      status: r.status,
      quantity: r.quantity,
      amount: { amount: r.amount, currency: r.currency },
      customer: { name: r.customer_name, email: r.customer_email, phone: r.customer_phone },
      service: { id: r.service_id, nameJa: r.name_ja, nameEn: r.name_en },
      slot: { id: r.slot_id, startsAt: iso(r.starts_at), endsAt: iso(r.ends_at) },
      payment: r.payment_status ? { status: r.payment_status, amountRefunded: r.amount_refunded ?? 0, latePayment: r.late_payment ?? false } : null,
      createdAt: iso(r.created_at),
    })),
  };
}

/** A page past the end has no rows to carry the window count. */
async function countOnly(auth: AuthContext, where: SQL): Promise<number> {
  const [row] = await asUser(auth.claims, (tx) =>
    queryRows<{ total: number }>(
      tx,
      sql`select count(*)::int as total from reservations r join slots s on s.id = r.slot_id
            left join lateral (select status from payments where reservation_id = r.id order by attempt desc limit 1) p on true
          ${where}`,
    ),
  );
  return row?.total ?? 0;
}
