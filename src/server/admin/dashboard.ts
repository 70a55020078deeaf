import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { addDays, formatLocalDate, localDateOf, zonedInstant } from "@/lib/time";
import type { AuthContext } from "@/server/auth/guard";
import { asUser, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";

/**
 * The /manage dashboard (and GET /api/admin/dashboard): what needs a person today, in one transaction as the
 * signed-in staff member under Row Level Security. "Today" is the business time zone's calendar day. Each block has
 * a count, a short list and a link to the screen that shows all of it with the same filter.
 */

const LIST = 8;
const RECENT_DAYS = 7;

export type BookingItem = { id: string; code: string; status: string; customerName: string; quantity: number; serviceNameJa: string; serviceNameEn: string; startsAt: string };
export type HoldItem = BookingItem & { holdExpiresAt: string; overdue: boolean };
export type FailedNotificationItem = { id: string; kind: string; channel: string; status: string; recipient: string; lastError: string | null; createdAt: string };
export type RefundItem = { id: string; reservationId: string; code: string; amount: number; currency: string; status: string; reason: string; createdAt: string };
export type AlertItem = { id: number; reservationId: string; kind: string | null; message: string | null; occurredAt: string };

type Block<T> = { count: number; items: T[]; href: string };

export type Dashboard = {
  timeZone: string;
  today: string;
  generatedAt: string;
  todayBookings: Block<BookingItem>;
  upcomingBookings: Block<BookingItem> & { from: string; to: string };
  holds: Block<HoldItem>;
  failedNotifications: Block<FailedNotificationItem> & { since: string };
  recentRefunds: Block<RefundItem> & { since: string };
  staffAlerts: Block<AlertItem> & { since: string };
};

const iso = (v: string | Date) => new Date(v).toISOString();
const qs = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params).toString()}`;

type BookingRow = { id: string; code: string; status: string; customer_name: string; quantity: number; name_ja: string; name_en: string; starts_at: string | Date; hold_expires_at?: string | Date | null; total: number };

async function bookings(tx: Tx, where: ReturnType<typeof sql>, order: ReturnType<typeof sql>): Promise<{ count: number; rows: BookingRow[] }> {
  const rows = await queryRows<BookingRow>(
    tx,
    sql`select r.id, r.code, r.status, r.customer_name, r.quantity, sv.name_ja, sv.name_en, s.starts_at, r.hold_expires_at,
               count(*) over ()::int as total
          from reservations r join slots s on s.id = r.slot_id join services sv on sv.id = s.service_id
         where ${where}
         order by ${order}
         limit ${LIST}`,
  );
  return { count: rows[0]?.total ?? 0, rows };
}

const bookingItem = (r: BookingRow): BookingItem => ({
  id: r.id,
  code: r.code,
  status: r.status,
  customerName: r.customer_name,
  quantity: r.quantity,
  serviceNameJa: r.name_ja,
  serviceNameEn: r.name_en,
  startsAt: iso(r.starts_at),
});

export async function getDashboard(auth: AuthContext): Promise<Dashboard> {
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const now = clock.now();
  const today = localDateOf(now, timeZone);
  const dayStart = zonedInstant(today, 0, 0, timeZone);
  const tomorrow = zonedInstant(addDays(today, 1), 0, 0, timeZone);
  const weekEnd = zonedInstant(addDays(today, 1 + 7), 0, 0, timeZone);
  const since = zonedInstant(addDays(today, -(RECENT_DAYS - 1)), 0, 0, timeZone);
  const t = (d: Date) => d.toISOString();
  const active = sql`r.status in ('held', 'confirmed', 'no_show')`;

  return asUser(auth.claims, async (tx) => {
    const todays = await bookings(tx, sql`${active} and s.starts_at >= ${t(dayStart)}::timestamptz and s.starts_at < ${t(tomorrow)}::timestamptz`, sql`s.starts_at, r.created_at, r.id`);
    const upcoming = await bookings(
      tx,
      sql`r.status in ('held', 'confirmed') and s.starts_at >= ${t(tomorrow)}::timestamptz and s.starts_at < ${t(weekEnd)}::timestamptz`,
      sql`s.starts_at, r.created_at, r.id`,
    );
    const holds = await bookings(tx, sql`r.status = 'held' and r.hold_expires_at is not null`, sql`r.hold_expires_at, r.created_at, r.id`);

    const failed = await queryRows<{ id: string; kind: string; channel: string; status: string; recipient: string; last_error: string | null; created_at: string | Date; total: number }>(
      tx,
      sql`select id, kind, channel, status, recipient, last_error, created_at, count(*) over ()::int as total
            from notifications where status in ('failed', 'bounced') and created_at >= ${t(since)}::timestamptz
           order by created_at desc, id desc limit ${LIST}`,
    );
    const refunds = await queryRows<{ id: string; reservation_id: string; code: string; amount: number; currency: string; status: string; reason: string; created_at: string | Date; total: number }>(
      tx,
      sql`select f.id, f.reservation_id, r.code, f.amount, f.currency, f.status, f.reason, f.created_at, count(*) over ()::int as total
            from refunds f join reservations r on r.id = f.reservation_id
           where f.created_at >= ${t(since)}::timestamptz
           order by f.created_at desc, f.id desc limit ${LIST}`,
    );
    const alerts = await queryRows<{ id: string | number; entity_id: string; after: { kind?: string; message?: string } | null; occurred_at: string | Date; total: number }>(
      tx,
      sql`select id, entity_id, after, occurred_at, count(*) over ()::int as total
            from audit_log where action = 'staff.alert' and occurred_at >= ${t(since)}::timestamptz
           order by id desc limit ${LIST}`,
    );

    const sinceDay = formatLocalDate(localDateOf(since, timeZone));
    return {
      timeZone,
      today: formatLocalDate(today),
      generatedAt: now.toISOString(),
      todayBookings: {
        count: todays.count,
        items: todays.rows.map(bookingItem),
        href: qs("/manage/reservations", { from: t(dayStart), to: t(tomorrow), status: "held,confirmed,no_show", sort: "startsAt" }),
      },
      upcomingBookings: {
        count: upcoming.count,
        items: upcoming.rows.map(bookingItem),
        from: t(tomorrow),
        to: t(weekEnd),
        href: qs("/manage/reservations", { from: t(tomorrow), to: t(weekEnd), status: "held,confirmed", sort: "startsAt" }),
      },
      holds: {
        count: holds.count,
        items: holds.rows.map((r) => ({
          ...bookingItem(r),
          holdExpiresAt: iso(r.hold_expires_at as string | Date),
          overdue: new Date(r.hold_expires_at as string | Date).getTime() <= now.getTime(),
        })),
        href: qs("/manage/reservations", { status: "held", sort: "createdAt" }),
      },
      failedNotifications: {
        count: failed[0]?.total ?? 0,
        since: t(since),
        items: failed.map((n) => ({ id: n.id, kind: n.kind, channel: n.channel, status: n.status, recipient: n.recipient, lastError: n.last_error, createdAt: iso(n.created_at) })),
        href: qs("/manage/notifications", { status: "failed,bounced", from: sinceDay }),
      },
      recentRefunds: {
        count: refunds[0]?.total ?? 0,
        since: t(since),
        items: refunds.map((f) => ({ id: f.id, reservationId: f.reservation_id, code: f.code, amount: f.amount, currency: f.currency, status: f.status, reason: f.reason, createdAt: iso(f.created_at) })),
        href: qs("/manage/audit", { action: "payment.refund*", from: sinceDay }),
      },
      staffAlerts: {
        count: alerts[0]?.total ?? 0,
        since: t(since),
        items: alerts.map((a) => ({ id: Number(a.id), reservationId: a.entity_id, kind: a.after?.kind ?? null, message: a.after?.message ?? null, occurredAt: iso(a.occurred_at) })),
        href: qs("/manage/audit", { action: "staff.alert", from: sinceDay }),
      },
    };
  });
}
