import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { addDays, formatLocalDate, localDateOf, zonedInstant } from "@/lib/time";
import type { AuthContext } from "@/server/auth/guard";
import { asUser, type Tx } from "@/server/db";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { auditLog, notifications, refunds, reservations, services, slots } from "@/server/db/schema";

/**
 * The /manage dashboard (and GET /api/admin/dashboard): what needs a person today, in one transaction as the
 * signed-in staff member under Row Level Security. "Today" is the business time zone's calendar day. Each block has
 * a count, a short list and a link to the screen that shows all of it with the same filter.
 */

const LIST = 8;
const RECENT_DAYS = 7;

export type BookingItem = {
  id: string;
  code: string;
  status: string;
  customerName: string;
  quantity: number;
  serviceNameJa: string;
  serviceNameEn: string;
  startsAt: string;
};
export type HoldItem = BookingItem & { holdExpiresAt: string; overdue: boolean };
export type FailedNotificationItem = {
  id: string;
  kind: string;
  channel: string;
  status: string;
  recipient: string;
  lastError: string | null;
  createdAt: string;
};
export type RefundItem = {
  id: string;
  reservationId: string;
  code: string;
  amount: number;
  currency: string;
  status: string;
  reason: string;
  createdAt: string;
};
export type AlertItem = {
  id: number;
  reservationId: string;
  kind: string | null;
  message: string | null;
  occurredAt: string;
};

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

const qs = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params).toString()}`;

/** count(*) is a bigint: a string on postgres.js, a number on PGlite; mapWith(Number) makes it a number on both. */
const windowTotal = () => sql<number>`count(*) over ()`.mapWith(Number);

const bookingColumns = {
  id: reservations.id,
  code: reservations.code,
  status: reservations.status,
  customerName: reservations.customerName,
  quantity: reservations.quantity,
  serviceNameJa: services.nameJa,
  serviceNameEn: services.nameEn,
  startsAt: slots.startsAt,
  holdExpiresAt: reservations.holdExpiresAt,
};

async function bookings(tx: Tx, where: SQL | undefined, order: (SQL | AnyPgColumn)[]) {
  const rows = await tx
    .select({ ...bookingColumns, total: windowTotal() })
    .from(reservations)
    .innerJoin(slots, eq(slots.id, reservations.slotId))
    .innerJoin(services, eq(services.id, slots.serviceId))
    .where(where)
    .orderBy(...order)
    .limit(LIST);
  return { count: rows[0]?.total ?? 0, rows };
}

const bookingItem = (r: Awaited<ReturnType<typeof bookings>>["rows"][number]): BookingItem => ({
  id: r.id,
  code: r.code,
  status: r.status,
  customerName: r.customerName,
  quantity: r.quantity,
  serviceNameJa: r.serviceNameJa,
  serviceNameEn: r.serviceNameEn,
  startsAt: r.startsAt.toISOString(),
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
  const byStart = [slots.startsAt, reservations.createdAt, reservations.id];

  return asUser(auth.claims, async (tx) => {
    const todays = await bookings(
      tx,
      and(
        inArray(reservations.status, ["held", "confirmed", "no_show"]),
        gte(slots.startsAt, dayStart),
        lt(slots.startsAt, tomorrow),
      ),
      byStart,
    );
    const upcoming = await bookings(
      tx,
      and(
        inArray(reservations.status, ["held", "confirmed"]),
        gte(slots.startsAt, tomorrow),
        lt(slots.startsAt, weekEnd),
      ),
      byStart,
    );
    const holds = await bookings(tx, and(eq(reservations.status, "held"), isNotNull(reservations.holdExpiresAt)), [
      reservations.holdExpiresAt,
      reservations.createdAt,
      reservations.id,
    ]);

    const failed = await tx
      .select({
        id: notifications.id,
        kind: notifications.kind,
        channel: notifications.channel,
        status: notifications.status,
        recipient: notifications.recipient,
        lastError: notifications.lastError,
        createdAt: notifications.createdAt,
        total: windowTotal(),
      })
      .from(notifications)
      .where(and(inArray(notifications.status, ["failed", "bounced"]), gte(notifications.createdAt, since)))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(LIST);
    const recent = await tx
      .select({
        id: refunds.id,
        reservationId: refunds.reservationId,
        code: reservations.code,
        amount: refunds.amount,
        currency: refunds.currency,
        status: refunds.status,
        reason: refunds.reason,
        createdAt: refunds.createdAt,
        total: windowTotal(),
      })
      .from(refunds)
      .innerJoin(reservations, eq(reservations.id, refunds.reservationId))
      .where(gte(refunds.createdAt, since))
      .orderBy(desc(refunds.createdAt), desc(refunds.id))
      .limit(LIST);
    const alerts = await tx
      .select({
        id: auditLog.id,
        entityId: auditLog.entityId,
        after: auditLog.after,
        occurredAt: auditLog.occurredAt,
        total: windowTotal(),
      })
      .from(auditLog)
      .where(and(eq(auditLog.action, "staff.alert"), gte(auditLog.occurredAt, since)))
      .orderBy(desc(auditLog.id))
      .limit(LIST);

    const sinceDay = formatLocalDate(localDateOf(since, timeZone));
    return {
      timeZone,
      today: formatLocalDate(today),
      generatedAt: now.toISOString(),
      todayBookings: {
        count: todays.count,
        items: todays.rows.map(bookingItem),
        href: qs("/manage/reservations", {
          from: t(dayStart),
          to: t(tomorrow),
          status: "held,confirmed,no_show",
          sort: "startsAt",
        }),
      },
      upcomingBookings: {
        count: upcoming.count,
        items: upcoming.rows.map(bookingItem),
        from: t(tomorrow),
        to: t(weekEnd),
        href: qs("/manage/reservations", {
          from: t(tomorrow),
          to: t(weekEnd),
          status: "held,confirmed",
          sort: "startsAt",
        }),
      },
      holds: {
        count: holds.count,
        items: holds.rows.map((r) => ({
          ...bookingItem(r),
          // The query keeps only rows with a hold expiry.
          holdExpiresAt: (r.holdExpiresAt ?? now).toISOString(),
          overdue: (r.holdExpiresAt ?? now).getTime() <= now.getTime(),
        })),
        href: qs("/manage/reservations", { status: "held", sort: "createdAt" }),
      },
      failedNotifications: {
        count: failed[0]?.total ?? 0,
        since: t(since),
        items: failed.map(({ total: _total, ...n }) => ({ ...n, createdAt: n.createdAt.toISOString() })),
        href: qs("/manage/notifications", { status: "failed,bounced", from: sinceDay }),
      },
      recentRefunds: {
        count: recent[0]?.total ?? 0,
        since: t(since),
        items: recent.map(({ total: _total, ...f }) => ({ ...f, createdAt: f.createdAt.toISOString() })),
        href: qs("/manage/audit", { action: "payment.refund*", from: sinceDay }),
      },
      staffAlerts: {
        count: alerts[0]?.total ?? 0,
        since: t(since),
        items: alerts.map((a) => {
          const after = (a.after ?? {}) as { kind?: string; message?: string };
          return {
            id: a.id,
            reservationId: a.entityId,
            kind: after.kind ?? null,
            message: after.message ?? null,
            occurredAt: a.occurredAt.toISOString(),
          };
        }),
        href: qs("/manage/audit", { action: "staff.alert", from: sinceDay }),
      },
    };
  });
}
