import "server-only";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { clock } from "@/lib/clock";
import { writeAudit } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { payments, refunds, reservations } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { alertStaff } from "./alerts";
import { count } from "@/server/observability/metrics";

/**
 * The refund ledger's state changes (refunds.ts decides and submits; this moves rows): a ledger row to the gateway's
 * status under the payment lock, the payment's refunded total and status with it, the customer's notice and the
 * staff alert.
 */

export type RefundRow = typeof refunds.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;

/** Reasons that already told the customer why (their own notice), so the generic "refunded" email is not sent. */
const SILENT_REASONS = new Set(["late_payment", "duplicate_payment"]);

/** Applies the gateway's answer (from the create call or a refund.updated webhook) to the ledger row. */
export async function recordGatewayRefund(
  refundId: string,
  gateway: Stripe.Refund,
  requestId?: string,
): Promise<RefundRow | undefined> {
  return asService((tx) =>
    settleRefund(
      tx,
      refundId,
      mapRefundStatus(gateway.status),
      gateway.id,
      requestId,
      gateway.failure_reason ?? undefined,
    ),
  );
}

export function mapRefundStatus(status: string | null): RefundRow["status"] {
  if (status === "succeeded") return "succeeded";
  if (status === "failed") return "failed";
  if (status === "canceled") return "cancelled";
  return "pending";
}

/**
 * Moves one ledger row to its gateway status under a lock on the payment. A refund that failed or was cancelled
 * gives its amount back to the payment; one that succeeded tells the customer (unless its reason already did).
 */
export async function settleRefund(
  tx: Tx,
  refundId: string,
  status: RefundRow["status"],
  providerRefundId: string | null,
  requestId?: string,
  failure?: string,
): Promise<RefundRow | undefined> {
  const [current] = await tx.select().from(refunds).where(eq(refunds.id, refundId));
  if (!current) return undefined;
  const [payment] = await tx.select().from(payments).where(eq(payments.id, current.paymentId)).for("update");
  const [refund] = await tx.select().from(refunds).where(eq(refunds.id, refundId)).for("update");
  if (!payment || !refund) return undefined;
  const now = clock.now();
  const providerId = refund.providerRefundId ?? providerRefundId;
  // pending → succeeded | failed | cancelled, and succeeded → failed | cancelled (Stripe can fail a refund after it
  // reported success); failed and cancelled are final. Anything else only records the gateway id.
  const moves =
    refund.status === "pending"
      ? status !== "pending"
      : refund.status === "succeeded" && (status === "failed" || status === "cancelled");
  if (!moves) {
    if (providerId !== refund.providerRefundId) {
      await tx
        .update(refunds)
        .set({ providerRefundId: providerId, attempts: refund.attempts + 1, updatedAt: now })
        .where(eq(refunds.id, refundId));
    }
    return { ...refund, providerRefundId: providerId };
  }
  const [updated] = await tx
    .update(refunds)
    .set({
      status,
      providerRefundId: providerId,
      attempts: refund.attempts + 1,
      lastError: failure ?? null,
      updatedAt: now,
    })
    .where(eq(refunds.id, refundId))
    .returning();
  await writeAudit(tx, {
    actor: { kind: "system", name: "payments" },
    action: `payment.refund_${status}`, // never pending here: a row only moves out of pending
    entityType: "payment",
    entityId: payment.id,
    before: { refundStatus: refund.status },
    after: { refundId, amount: refund.amount, providerRefundId: providerId },
    requestId,
  });
  if (status !== "succeeded") count("refunds_failed", { status });
  if (status === "succeeded") {
    if (!SILENT_REASONS.has(refund.reason)) await notifyRefund(tx, refund, requestId);
  } else {
    await setRefundedTotal(tx, payment, payment.amountRefunded - refund.amount, now);
    await alertStaff(tx, {
      kind: "refund_failed",
      reservationId: refund.reservationId,
      paymentId: payment.id,
      message: `A refund of ${refund.amount} ${refund.currency} ${status}${failure ? ` (${failure})` : ""}; the customer has not been refunded.`,
      dedupeKey: `refund-failed:${refund.id}`,
      requestId,
    });
  }
  return updated;
}

/** The one rule for a captured payment's status: by how much of it is refunded (pending or succeeded refunds). */
export async function setRefundedTotal(tx: Tx, payment: PaymentRow, total: number, now: Date): Promise<void> {
  const status = total === 0 ? "succeeded" : total >= payment.amount ? "refunded" : "partially_refunded";
  await tx.update(payments).set({ amountRefunded: total, status, updatedAt: now }).where(eq(payments.id, payment.id));
}

async function notifyRefund(tx: Tx, refund: RefundRow, requestId?: string): Promise<void> {
  const [r] = await tx.select().from(reservations).where(eq(reservations.id, refund.reservationId));
  if (!r) return;
  await enqueueNotification(tx, {
    ...reservationNotice(
      "refunded",
      r,
      { amount: refund.amount, currency: refund.currency, refundId: refund.id },
      requestId,
    ),
    key: refund.id,
  });
}

/** Locks a payment row for a change (webhook handlers, refunds, cancellation). */
export async function lockPayment(tx: Tx, paymentId: string): Promise<PaymentRow | undefined> {
  const [payment] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update");
  return payment;
}
