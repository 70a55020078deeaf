import "server-only";
import { and, asc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import type { AuthContext } from "@/server/auth/guard";
import { paymentFields, reservationWithSlot, type PaymentView } from "@/server/booking/read";
import { asUser, type Tx } from "@/server/db";
import { auditLog, notifications, payments, refunds, reservations, webhookEvents } from "@/server/db/schema";
import {
  mergeTimeline,
  type AuditEntry,
  type NotificationEntry,
  type PaymentEntry,
  type RefundEntry,
  type TimelineEntry,
  type WebhookEntry,
} from "./reservation-timeline";
import { webhookListColumns } from "./webhook-inbox";

/**
 * GET /api/admin/reservations/[id] and the /manage detail page: one reservation with its customer, slot, service,
 * payment attempts, refunds, notifications, webhook events and the merged timeline. Everything is read in one
 * transaction as the signed-in person under Row Level Security, so a customer's token reads nothing of anyone else's
 * (the route answers 403 before that; this is the third guard).
 */
export type ReservationDetail = {
  reservation: {
    id: string;
    code: string;
    status: string;
    quantity: number;
    amount: { amount: number; currency: string };
    locale: string;
    version: number;
    userId: string | null;
    smsConsent: boolean;
    holdExpiresAt: string | null;
    confirmedAt: string | null;
    cancelledAt: string | null;
    cancelReason: string | null;
    createdAt: string;
    updatedAt: string;
  };
  customer: { name: string; email: string; phone: string | null };
  slot: { id: string; startsAt: string; endsAt: string; status: string; capacity: number; reserved: number };
  service: { id: string; slug: string; nameJa: string; nameEn: string };
  payments: (Omit<PaymentView, "checkoutUrl" | "sessionExpiresAt"> & { paidAt: string | null; createdAt: string })[];
  refunds: (Omit<RefundEntry, "source" | "at"> & {
    paymentId: string;
    providerRefundId: string | null;
    createdAt: string;
  })[];
  notifications: (Omit<NotificationEntry, "source" | "at"> & { createdAt: string })[];
  webhookEvents: (Omit<WebhookEntry, "source" | "at"> & { receivedAt: string })[];
  timeline: TimelineEntry[];
};

export async function getReservationDetail(auth: AuthContext, reservationId: string): Promise<ReservationDetail> {
  return asUser(auth.claims, async (tx) => {
    const row = await reservationWithSlot(tx, eq(reservations.id, reservationId));
    if (!row) throw new AppError("reservation_not_found", "No reservation has this id.");
    const { r, slot, service } = row;

    const paymentRows = await tx
      .select()
      .from(payments)
      .where(eq(payments.reservationId, r.id))
      .orderBy(asc(payments.attempt));
    const refundRows = await tx
      .select()
      .from(refunds)
      .where(eq(refunds.reservationId, r.id))
      .orderBy(asc(refunds.createdAt), asc(refunds.id));
    const notificationRows = await tx
      .select()
      .from(notifications)
      .where(eq(notifications.reservationId, r.id))
      .orderBy(asc(notifications.createdAt), asc(notifications.id));
    const webhookRows = await webhookEventsOf(tx, r.id, paymentRows);
    const auditRows = await tx
      .select()
      .from(auditLog)
      .where(
        or(
          entityIs("reservation", [r.id]),
          entityIs(
            "payment",
            paymentRows.map((p) => p.id),
          ),
          entityIs(
            "notification",
            notificationRows.map((n) => n.id),
          ),
          entityIs(
            "webhook_event",
            webhookRows.map((w) => w.id),
          ),
        ),
      )
      .orderBy(asc(auditLog.id));

    const paymentList = paymentRows.map((p) => ({
      ...paymentFields(p),
      paidAt: p.paidAt?.toISOString() ?? null,
      createdAt: p.createdAt.toISOString(),
    }));
    const refundList = refundRows.map((f) => ({
      id: f.id,
      paymentId: f.paymentId,
      amount: f.amount,
      currency: f.currency,
      status: f.status,
      reason: f.reason,
      lastError: f.lastError,
      providerRefundId: f.providerRefundId,
      createdAt: f.createdAt.toISOString(),
    }));
    const notificationList = notificationRows.map((n) => ({
      id: n.id,
      kind: n.kind,
      channel: n.channel,
      status: n.status,
      recipient: n.recipient,
      attempts: n.attempts,
      lastError: n.lastError,
      sentAt: n.sentAt?.toISOString() ?? null,
      createdAt: n.createdAt.toISOString(),
    }));
    const webhookList = webhookRows.map((w) => ({
      id: w.id,
      eventId: w.eventId,
      type: w.type,
      status: w.status,
      outcome: w.outcome,
      attempts: w.attempts,
      lastError: w.lastError,
      receivedAt: w.receivedAt.toISOString(),
    }));

    const audit: AuditEntry[] = auditRows.map((a) => ({
      source: "audit",
      at: a.occurredAt.toISOString(),
      id: String(a.id),
      action: a.action,
      entity: { type: a.entityType, id: a.entityId },
      actor: { id: a.actorId, role: a.actorRole },
      reason: a.reason,
      requestId: a.requestId,
      ip: a.ip,
      before: a.before,
      after: a.after,
    }));
    const paymentEntries: PaymentEntry[] = paymentList.flatMap((p) => {
      const base = {
        source: "payment" as const,
        id: p.id,
        attempt: p.attempt,
        status: p.status,
        amount: p.amount,
        currency: p.currency,
        outcome: p.outcome,
        latePayment: p.latePayment,
      };
      return [
        { ...base, at: p.createdAt, event: "started" as const },
        ...(p.paidAt ? [{ ...base, at: p.paidAt, event: "paid" as const }] : []),
      ];
    });

    return {
      reservation: {
        id: r.id,
        code: r.code,
        status: r.status,
        quantity: r.quantity,
        amount: { amount: r.amount, currency: r.currency },
        locale: r.locale,
        version: r.version,
        userId: r.userId,
        smsConsent: r.smsConsent,
        holdExpiresAt: r.holdExpiresAt?.toISOString() ?? null,
        confirmedAt: r.confirmedAt?.toISOString() ?? null,
        cancelledAt: r.cancelledAt?.toISOString() ?? null,
        cancelReason: r.cancelReason,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      },
      customer: { name: r.customerName, email: r.customerEmail, phone: r.customerPhone },
      slot: {
        id: slot.id,
        startsAt: slot.startsAt.toISOString(),
        endsAt: slot.endsAt.toISOString(),
        status: slot.status,
        capacity: slot.capacity,
        reserved: slot.reserved,
      },
      service: { id: service.id, slug: service.slug, nameJa: service.nameJa, nameEn: service.nameEn },
      payments: paymentList,
      refunds: refundList,
      notifications: notificationList,
      webhookEvents: webhookList,
      timeline: mergeTimeline([
        webhookList.map(({ receivedAt, ...w }) => ({ source: "webhook" as const, at: receivedAt, ...w })),
        paymentEntries,
        refundList.map(({ createdAt, paymentId: _p, providerRefundId: _g, ...f }) => ({
          source: "refund" as const,
          at: createdAt,
          ...f,
        })),
        audit,
        notificationList.map(({ createdAt, ...n }) => ({ source: "notification" as const, at: createdAt, ...n })),
      ]),
    };
  });
}

/** entity_type = … and entity_id in (…), on the (entity_type, entity_id) index; nothing for an empty list. */
function entityIs(type: string, ids: string[]): SQL | undefined {
  return ids.length ? and(eq(auditLog.entityType, type), inArray(auditLog.entityId, ids)) : undefined;
}

/**
 * The gateway events about this reservation: those whose object carries our reservation id in its metadata (we set
 * it on sessions, payment intents and refunds), or whose object is, or points at, one of its checkout sessions or
 * payment intents (a charge only names its payment intent). The inbox has no reservation column, so this is a scan
 * of webhook_events; see the report in bench/README.md for the column that would make it an index lookup.
 */
async function webhookEventsOf(tx: Tx, reservationId: string, paymentRows: (typeof payments.$inferSelect)[]) {
  const objectIds = paymentRows
    .flatMap((p) => [p.checkoutSessionId, p.paymentIntentId])
    .filter((v): v is string => Boolean(v));
  const intentIds = paymentRows.map((p) => p.paymentIntentId).filter((v): v is string => Boolean(v));
  const list = (values: string[]) =>
    sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    );
  const matches: SQL[] = [sql`${webhookEvents.payload} #>> '{data,object,metadata,reservation_id}' = ${reservationId}`];
  if (objectIds.length) matches.push(sql`${webhookEvents.payload} #>> '{data,object,id}' in (${list(objectIds)})`);
  if (intentIds.length)
    matches.push(sql`${webhookEvents.payload} #>> '{data,object,payment_intent}' in (${list(intentIds)})`);
  return tx
    .select(webhookListColumns)
    .from(webhookEvents)
    .where(or(...matches))
    .orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id));
}
