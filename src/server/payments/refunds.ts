import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { payments, refunds, reservations } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { alertStaff } from "./alerts";
import { createRefund, describeGatewayError, isTransient } from "./gateway";
import { isUuid } from "@/lib/uuid";

/**
 * The refund ledger. A refund is two steps:
 *   1. reserveRefund, inside the caller's transaction and under a row lock on the payment: the amount is checked
 *      against what remains (payment amount − refunds pending or succeeded), a `pending` ledger row is written and
 *      payments.amount_refunded grows by it (a CHECK keeps it ≤ the amount). So concurrent partial refunds are
 *      serialised and never exceed what was captured, and the decision commits with the state change that caused it
 *      (cancellation, late payment).
 *   2. submitRefund, after commit: the gateway call with the ledger row's idempotency key. Success records Stripe's
 *      refund id and status; a transient failure leaves the row pending for reconcile to retry with the same key; a
 *      definitive rejection marks it failed and gives the amount back.
 * `charge.refunded` and `refund.updated` webhooks reconcile the ledger with the gateway (reconcileGatewayRefunds).
 */

export type RefundRow = typeof refunds.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;

/** Reasons that already told the customer why (their own notice), so the generic "refunded" email is not sent. */
const SILENT_REASONS = new Set(["late_payment", "duplicate_payment"]);

export async function reserveRefund(
  tx: Tx,
  input: {
    payment: PaymentRow;
    amount?: number;
    reason: string;
    actor: Actor;
    requestId?: string;
    idempotencyKey?: string;
  },
): Promise<RefundRow> {
  const { payment } = input;
  if (input.idempotencyKey) {
    const [existing] = await tx.select().from(refunds).where(eq(refunds.idempotencyKey, input.idempotencyKey));
    if (existing) {
      if (existing.paymentId !== payment.id || (input.amount !== undefined && existing.amount !== input.amount)) {
        throw new AppError("idempotency_mismatch", "This idempotency key was already used for a different refund.");
      }
      return existing;
    }
  }
  const remaining = payment.amount - payment.amountRefunded;
  const captured = payment.status === "succeeded" || payment.status === "partially_refunded";
  const amount = input.amount ?? remaining;
  if (!captured || !payment.paymentIntentId) {
    throw new AppError("refund_exceeds_captured", "This payment has not been captured, so there is nothing to refund.");
  }
  if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
    throw new AppError("refund_exceeds_captured", `At most ${remaining} ${payment.currency} of this payment can still be refunded.`, {
      errors: [{ path: "body.amount", message: `must be between 1 and ${remaining}` }],
    });
  }
  const id = randomUUID();
  const now = clock.now();
  const [refund] = await tx
    .insert(refunds)
    .values({
      id,
      paymentId: payment.id,
      reservationId: payment.reservationId,
      amount,
      currency: payment.currency,
      status: "pending",
      reason: input.reason,
      requestedBy: input.actor.kind === "user" ? input.actor.id : null,
      idempotencyKey: input.idempotencyKey ?? `refund:${id}`,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!refund) throw new Error("refund insert returned no row");
  const refunded = payment.amountRefunded + amount;
  await setRefundedTotal(tx, payment, refunded, now);
  await writeAudit(tx, {
    actor: input.actor,
    action: "payment.refund_requested",
    entityType: "payment",
    entityId: payment.id,
    before: { amountRefunded: payment.amountRefunded },
    after: { amountRefunded: refunded, refundId: id, amount },
    reason: input.reason,
    requestId: input.requestId,
  });
  return refund;
}

export type RefundOutcome = { refund: RefundRow; submitted: boolean };

/**
 * Sends a pending ledger row to the gateway. Safe to call twice or concurrently: the idempotency key makes Stripe
 * answer with the same refund, and the update only moves a row that is still pending.
 */
export async function submitRefund(refundId: string, requestId?: string): Promise<RefundOutcome> {
  const loaded = await asService(async (tx) => {
    const [row] = await tx
      .select({ refund: refunds, payment: payments })
      .from(refunds)
      .innerJoin(payments, eq(payments.id, refunds.paymentId))
      .where(eq(refunds.id, refundId));
    return row;
  });
  if (!loaded) throw new AppError("not_found", "No such refund.");
  const { refund, payment } = loaded;
  if (refund.status !== "pending" || refund.providerRefundId) return { refund, submitted: false };
  try {
    const created = await createRefund({
      paymentIntentId: payment.paymentIntentId as string,
      amount: refund.amount,
      refundId: refund.id,
      reservationId: refund.reservationId,
      reason: refund.reason === "duplicate_payment" ? "duplicate" : "requested_by_customer",
      idempotencyKey: refund.idempotencyKey,
    });
    const updated = await recordGatewayRefund(refund.id, created, requestId);
    return { refund: updated ?? refund, submitted: true };
  } catch (error) {
    const detail = describeGatewayError(error);
    if (isTransient(error) || !(error instanceof Stripe.errors.StripeError)) {
      logger.warn({ event: "refund.submit_failed", refundId, transient: true, err: error }, "refund submission failed; reconcile retries it");
      const [row] = await asService((tx) =>
        tx
          .update(refunds)
          .set({ attempts: sql`${refunds.attempts} + 1`, lastError: detail, updatedAt: clock.now() })
          .where(eq(refunds.id, refundId))
          .returning(),
      );
      return { refund: row ?? refund, submitted: false };
    }
    logger.error({ event: "refund.rejected", refundId, err: error }, "the gateway rejected a refund");
    const row = await asService((tx) => settleRefund(tx, refund.id, "failed", null, requestId, detail));
    return { refund: row ?? refund, submitted: true };
  }
}

/** Applies the gateway's answer (from the create call or a refund.updated webhook) to the ledger row. */
export async function recordGatewayRefund(refundId: string, gateway: Stripe.Refund, requestId?: string): Promise<RefundRow | undefined> {
  return asService((tx) => settleRefund(tx, refundId, mapRefundStatus(gateway.status), gateway.id, requestId, gateway.failure_reason ?? undefined));
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
  const moves = refund.status === "pending" ? status !== "pending" : refund.status === "succeeded" && (status === "failed" || status === "cancelled");
  if (!moves) {
    if (providerId !== refund.providerRefundId) {
      await tx.update(refunds).set({ providerRefundId: providerId, attempts: refund.attempts + 1, updatedAt: now }).where(eq(refunds.id, refundId));
    }
    return { ...refund, providerRefundId: providerId };
  }
  const [updated] = await tx
    .update(refunds)
    .set({ status, providerRefundId: providerId, attempts: refund.attempts + 1, lastError: failure ?? null, updatedAt: now })
    .where(eq(refunds.id, refundId))
    .returning();
  await writeAudit(tx, {
    actor: { kind: "system", name: "payments" },
    action: `payment.refund_${status}`,
    entityType: "payment",
    entityId: payment.id,
    before: { refundStatus: refund.status },
    after: { refundId, amount: refund.amount, providerRefundId: providerId },
    requestId,
  });
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
async function setRefundedTotal(tx: Tx, payment: PaymentRow, total: number, now: Date): Promise<void> {
  const status = total === 0 ? "succeeded" : total >= payment.amount ? "refunded" : "partially_refunded";
  await tx.update(payments).set({ amountRefunded: total, status, updatedAt: now }).where(eq(payments.id, payment.id));
}

/**
 * Brings the ledger in line with the gateway's refunds of one payment (`charge.refunded`, `refund.updated`): each
 * gateway refund settles the ledger row with its Stripe id or its `metadata.refund_id`, by its own status — never by
 * adding up amounts, so a pending row is only marked succeeded when Stripe says that refund succeeded. A refund with
 * no ledger row (made in the Stripe dashboard) is recorded as an external refund. The caller holds the payment lock.
 */
export async function reconcileGatewayRefunds(
  tx: Tx,
  payment: PaymentRow,
  gatewayRefunds: Stripe.Refund[],
  requestId?: string,
): Promise<string> {
  let changed = 0;
  let external = 0;
  for (const gw of gatewayRefunds) {
    const ledgerId = gw.metadata?.refund_id;
    const [row] = await tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.paymentId, payment.id), or(eq(refunds.providerRefundId, gw.id), isUuid(ledgerId) ? eq(refunds.id, ledgerId) : undefined)));
    const status = mapRefundStatus(gw.status);
    if (row) {
      if (row.status !== status || row.providerRefundId !== gw.id) {
        const before = row.status;
        const after = await settleRefund(tx, row.id, status, gw.id, requestId, gw.failure_reason ?? undefined);
        if (after && after.status !== before) changed++;
      }
      continue;
    }
    if (status === "failed" || status === "cancelled") continue;
    const now = clock.now();
    const [inserted] = await tx
      .insert(refunds)
      .values({
        paymentId: payment.id,
        reservationId: payment.reservationId,
        providerRefundId: gw.id,
        amount: gw.amount,
        currency: payment.currency,
        status,
        reason: "refunded_at_gateway",
        idempotencyKey: `external:${gw.id}`,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted) continue;
    const [current] = await tx.select().from(payments).where(eq(payments.id, payment.id));
    await setRefundedTotal(tx, payment, Math.min((current?.amountRefunded ?? payment.amountRefunded) + gw.amount, payment.amount), now);
    await writeAudit(tx, {
      actor: { kind: "system", name: "payments" },
      action: "payment.refund_recorded_from_gateway",
      entityType: "payment",
      entityId: payment.id,
      after: { providerRefundId: gw.id, amount: gw.amount, status },
      requestId,
    });
    external++;
  }
  if (external > 0) return "ledger_external_refund_recorded";
  return changed > 0 ? "ledger_updated" : "ledger_in_sync";
}

async function notifyRefund(tx: Tx, refund: RefundRow, requestId?: string): Promise<void> {
  const [r] = await tx.select().from(reservations).where(eq(reservations.id, refund.reservationId));
  if (!r) return;
  await enqueueNotification(tx, {
    ...reservationNotice("refunded", r, { amount: refund.amount, currency: refund.currency, refundId: refund.id }, requestId),
    key: refund.id,
  });
}

/** Locks a payment row for a change (webhook handlers, refunds, cancellation). */
export async function lockPayment(tx: Tx, paymentId: string): Promise<PaymentRow | undefined> {
  const [payment] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update");
  return payment;
}

/**
 * Refunds a captured payment in full or in part (staff action, CLI, cancellation): reserve under the payment lock,
 * then submit. Returns the ledger row as it stands after the gateway answered (pending if the gateway is down;
 * reconcile finishes it).
 */
export async function refundPayment(input: {
  paymentId: string;
  amount?: number;
  reason: string;
  actor: Actor;
  requestId?: string;
  idempotencyKey?: string;
}): Promise<RefundOutcome> {
  const reserved = await asService(async (tx) => {
    const payment = await lockPayment(tx, input.paymentId);
    if (!payment) throw new AppError("not_found", "No such payment.");
    return reserveRefund(tx, { ...input, payment });
  });
  return submitRefund(reserved.id, input.requestId);
}

/** Refunds the captured payment of a reservation found by its public code (CLI and, later, /manage). */
export async function refundReservation(input: {
  code: string;
  amount?: number;
  reason: string;
  actor: Actor;
  requestId?: string;
}): Promise<RefundOutcome> {
  const payment = await asService(async (tx) => {
    const [row] = await tx
      .select({ id: payments.id })
      .from(payments)
      .innerJoin(reservations, eq(reservations.id, payments.reservationId))
      .where(and(eq(reservations.code, input.code), inArray(payments.status, ["succeeded", "partially_refunded", "refunded"])));
    return row;
  });
  if (!payment) throw new AppError("not_found", `Reservation ${input.code} has no captured payment.`);
  return refundPayment({ paymentId: payment.id, amount: input.amount, reason: input.reason, actor: input.actor, requestId: input.requestId });
}
