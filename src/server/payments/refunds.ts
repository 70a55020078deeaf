// Long on purpose: the refund verb from request to submission and reconciliation under Stripe's
// idempotency rule; the ledger's state changes already live in refund-ledger.ts.
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
import { createRefund, describeGatewayError, isTransient, listRefunds } from "./gateway";
import {
  lockPayment,
  mapRefundStatus,
  recordGatewayRefund,
  settleRefund,
  setRefundedTotal,
  type PaymentRow,
  type RefundRow,
} from "./refund-ledger";
import { isUuid } from "@/lib/uuid";
import { count, refundReasonLabel } from "@/server/observability/metrics";

/**
 * The refund ledger. A refund is two steps:
 *   1. reserveRefund, inside the caller's transaction and under a row lock on the payment: the amount is checked
 *      against what remains (payment amount − refunds pending or succeeded), a `pending` ledger row is written and
 *      payments.amount_refunded grows by it (a CHECK keeps it ≤ the amount). So concurrent partial refunds are
 *      serialised and never exceed what was captured, and the decision commits with the state change that caused it
 *      (cancellation, late payment).
 *   2. submitRefund, after commit: the gateway call with the ledger row's idempotency key. Success records Stripe's
 *      refund id and status; a transient failure leaves the row pending for reconcile to retry (found by metadata
 *      first, else a new key per failed attempt: gatewayIdempotencyKey); a definitive rejection marks it failed and
 *      gives the amount back. Moving a row to the gateway's status lives in refund-ledger.ts.
 * `charge.refunded` and `refund.updated` webhooks reconcile the ledger with the gateway (reconcileGatewayRefunds).
 */

export {
  lockPayment,
  mapRefundStatus,
  recordGatewayRefund,
  settleRefund,
  type PaymentRow,
  type RefundRow,
} from "./refund-ledger";

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
    throw new AppError(
      "refund_exceeds_captured",
      `At most ${remaining} ${payment.currency} of this payment can still be refunded.`,
      {
        errors: [{ path: "body.amount", message: `must be between 1 and ${remaining}` }],
      },
    );
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
  const reason = refundReasonLabel(input.reason);
  count("refunds", { reason });
  count("refunds_amount", { reason, currency: payment.currency }, amount);
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
      .select({
        refund: refunds,
        payment: payments,
        // The request that asked for this refund: its audit row is written with the ledger row, so every submission
        // of the refund sends the same metadata under its idempotency key.
        requestedIn: sql<string | null>`(select a.request_id from audit_log a
          where a.entity_type = 'payment' and a.entity_id = ${payments.id}::text
            and a.action = 'payment.refund_requested' and a.after->>'refundId' = ${refunds.id}::text
          order by a.id limit 1)`,
      })
      .from(refunds)
      .innerJoin(payments, eq(payments.id, refunds.paymentId))
      .where(eq(refunds.id, refundId));
    return row;
  });
  if (!loaded) throw new AppError("not_found", "No such refund.");
  const { refund, payment, requestedIn } = loaded;
  if (refund.status !== "pending" || refund.providerRefundId) return { refund, submitted: false };
  try {
    // A retry first looks for the refund by its metadata: an earlier attempt may have created it and still failed.
    if (refund.attempts > 0) {
      const found = (await listRefunds(payment.paymentIntentId as string)).find(
        (gw) => gw.metadata?.refund_id === refund.id,
      );
      if (found) {
        const updated = await recordGatewayRefund(refund.id, found, requestId);
        return { refund: updated ?? refund, submitted: true };
      }
    }
    const created = await createRefund({
      paymentIntentId: payment.paymentIntentId as string,
      amount: refund.amount,
      refundId: refund.id,
      reservationId: refund.reservationId,
      reason: refund.reason === "duplicate_payment" ? "duplicate" : "requested_by_customer",
      idempotencyKey: gatewayIdempotencyKey(refund),
      requestId: requestedIn ?? undefined,
    });
    const updated = await recordGatewayRefund(refund.id, created, requestId);
    return { refund: updated ?? refund, submitted: true };
  } catch (error) {
    const detail = describeGatewayError(error);
    if (isTransient(error) || !(error instanceof Stripe.errors.StripeError)) {
      logger.warn(
        { event: "refund.submit_failed", refundId, transient: true, err: error },
        "refund submission failed; reconcile retries it",
      );
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

/**
 * The Idempotency-Key of this submission. Stripe keeps a key's first answer, a 500 included, and replays it on every
 * retry (docs/payments.md, "Idempotency"), so a retry under the first key could never succeed after a saved 500. The
 * first submission uses the ledger row's key (a double submission collapses into one refund); each later one, made
 * only after the gateway's list showed no refund carrying this row's metadata.refund_id, uses a key of its own
 * derived from the failed-attempt count, so concurrent retries of one attempt still share a key.
 */
function gatewayIdempotencyKey(refund: RefundRow): string {
  return refund.attempts === 0 ? refund.idempotencyKey : `${refund.idempotencyKey}:retry-${refund.attempts}`;
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
      .where(
        and(
          eq(refunds.paymentId, payment.id),
          or(eq(refunds.providerRefundId, gw.id), isUuid(ledgerId) ? eq(refunds.id, ledgerId) : undefined),
        ),
      );
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
    count("refunds", { reason: "refunded_at_gateway" });
    count("refunds_amount", { reason: "refunded_at_gateway", currency: payment.currency }, gw.amount);
    const [current] = await tx.select().from(payments).where(eq(payments.id, payment.id));
    await setRefundedTotal(
      tx,
      payment,
      Math.min((current?.amountRefunded ?? payment.amountRefunded) + gw.amount, payment.amount),
      now,
    );
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
      .where(
        and(
          eq(reservations.code, input.code),
          inArray(payments.status, ["succeeded", "partially_refunded", "refunded"]),
        ),
      );
    return row;
  });
  if (!payment) throw new AppError("not_found", `Reservation ${input.code} has no captured payment.`);
  return refundPayment({
    paymentId: payment.id,
    amount: input.amount,
    reason: input.reason,
    actor: input.actor,
    requestId: input.requestId,
  });
}
