// Long on purpose: how one payment outcome settles a reservation (paid in time, paid late, failed,
// expired), every branch under the same reservation lock with its audit and outbox writes; split, the lock order would
// have to be re-read across files.
import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import type { DomainEvent } from "@/server/audit/events";
import { writeAudit, type Actor } from "@/server/audit";
import { confirmLocked } from "@/server/booking/confirm";
import { mayAcceptLatePayment } from "@/server/booking/policy";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { payments, reservations } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { alertStaff } from "./alerts";
import { lockPayment, reserveRefund, type PaymentRow } from "./refunds";
import { lockReservation } from "@/server/booking/lock";
import { count } from "@/server/observability/metrics";

/**
 * What happens when money arrives or a payment attempt fails, decided under the payment's row lock and committed in
 * one transaction with the reservation change, the audit rows and the outbox rows (invariant 2). Each function
 * returns an outcome string that the webhook route logs and stores on the inbox row; refunds it decides on are
 * returned for the caller to submit after commit.
 */

export type Settlement = { outcome: string; refundIds: string[] };

const actor: Actor = { kind: "system", name: "stripe-webhook" };
const PAID = new Set<PaymentRow["status"]>(["succeeded", "partially_refunded", "refunded"]);

export async function settlePaid(
  tx: Tx,
  payment: PaymentRow,
  paid: { paymentIntentId: string; amountReceived: number },
  requestId?: string,
): Promise<Settlement> {
  if (PAID.has(payment.status)) return { outcome: "already_paid", refundIds: [] };
  const now = clock.now();
  let current: PaymentRow = {
    ...payment,
    status: "succeeded",
    paymentIntentId: paid.paymentIntentId,
    paidAt: now,
    failureCode: null,
    failureMessage: null,
  };
  await movePayment(
    tx,
    payment,
    {
      status: "succeeded",
      paymentIntentId: paid.paymentIntentId,
      paidAt: now,
      failureCode: null,
      failureMessage: null,
    },
    { amount: paid.amountReceived, paymentIntentId: paid.paymentIntentId },
    now,
    requestId,
  );

  const r = await lockReservation(tx, payment.reservationId);
  if (!r) return finish(tx, current, "reservation_missing", []);

  if (r.status === "held") {
    await confirmLocked(tx, r, { actor, payload: { paymentId: payment.id }, requestId });
    return finish(tx, current, "confirmed", []);
  }

  if (r.status === "confirmed") {
    // A second session was paid for a reservation another payment already confirmed: give this money back.
    const refund = await reserveRefund(tx, { payment: current, reason: "duplicate_payment", actor, requestId });
    current = { ...current, amountRefunded: current.amount, status: "refunded" };
    await alertStaff(tx, {
      kind: "duplicate_payment",
      reservationId: r.id,
      paymentId: payment.id,
      message: `Reservation ${r.code} was paid twice; the second payment is being refunded in full.`,
      dedupeKey: `duplicate-payment:${payment.id}`,
      requestId,
    });
    return finish(tx, current, "duplicate_payment_refunded", [refund.id]);
  }

  // Late payment: the hold expired (or the customer cancelled) before the money arrived.
  await tx.update(payments).set({ latePayment: true }).where(eq(payments.id, payment.id));
  current = { ...current, latePayment: true };
  const policy = r.status === "cancelled" ? "refund" : getEnv().LATE_PAYMENT_POLICY;

  if (policy === "manual") {
    await alertStaff(tx, {
      kind: "late_payment_manual",
      reservationId: r.id,
      paymentId: payment.id,
      message: `Payment for ${r.code} arrived after its hold expired (LATE_PAYMENT_POLICY=manual): decide whether to confirm or refund.`,
      dedupeKey: `late-payment:${payment.id}`,
      requestId,
    });
    return finish(tx, current, "late_payment_manual", []);
  }

  if (policy === "reacquire_or_refund" && (await reacquireSeats(tx, r, now))) {
    await confirmLocked(tx, r, {
      actor,
      action: "reservation.late_payment_reacquired",
      payload: { paymentId: payment.id, latePayment: true, seatsTaken: r.quantity },
      requestId,
    });
    await alertStaff(tx, {
      kind: "late_payment_reacquired",
      reservationId: r.id,
      paymentId: payment.id,
      message: `Payment for ${r.code} arrived after its hold expired; the seats were still free and the reservation is confirmed.`,
      dedupeKey: `late-payment:${payment.id}`,
      requestId,
    });
    return finish(tx, current, "late_payment_reacquired", []);
  }

  const refund = await reserveRefund(tx, { payment: current, reason: "late_payment", actor, requestId });
  current = { ...current, amountRefunded: current.amount, status: "refunded" };
  await enqueueNotification(tx, {
    ...reservationNotice(
      "late_payment_refund",
      r,
      { amount: refund.amount, currency: refund.currency, paymentId: payment.id },
      requestId,
    ),
    key: payment.id,
  });
  await writeAudit(tx, {
    actor,
    action: "reservation.late_payment_refunded",
    entityType: "reservation",
    entityId: r.id,
    after: { status: r.status, paymentId: payment.id, refundId: refund.id },
    requestId,
  });
  await alertStaff(tx, {
    kind: "late_payment_refunded",
    reservationId: r.id,
    paymentId: payment.id,
    message: `Payment for ${r.code} arrived after its hold expired and the seats were gone (or policy is refund); it is refunded in full.`,
    dedupeKey: `late-payment:${payment.id}`,
    requestId,
  });
  return finish(tx, current, "late_payment_refunded", [refund.id]);
}

/** The capacity rule of invariant 1 again: take the seats back only if they are still free and the slot is bookable. */
async function reacquireSeats(tx: Tx, r: typeof reservations.$inferSelect, now: Date): Promise<boolean> {
  const taken = await queryRows<{ id: string }>(
    tx,
    sql`update slots set reserved = reserved + ${r.quantity}, updated_at = ${now.toISOString()}::timestamptz
         where id = ${r.slotId}::uuid and status = 'open' and starts_at > ${now.toISOString()}::timestamptz
           and reserved + ${r.quantity} <= capacity
     returning id`,
  );
  return taken.length > 0;
}

/** The payment's new status and columns, with its audit row (`payment.<status>`, status before → after and `after`). */
async function movePayment(
  tx: Tx,
  payment: PaymentRow,
  set: Partial<typeof payments.$inferInsert> & { status: "succeeded" | "failed" },
  after: Record<string, unknown>,
  now: Date,
  requestId?: string,
): Promise<void> {
  await tx
    .update(payments)
    .set({ ...set, updatedAt: now })
    .where(eq(payments.id, payment.id));
  await writeAudit(tx, {
    actor,
    action: `payment.${set.status}`,
    entityType: "payment",
    entityId: payment.id,
    before: { status: payment.status },
    after: { status: set.status, ...after },
    requestId,
  });
}

async function finish(tx: Tx, payment: PaymentRow, outcome: string, refundIds: string[]): Promise<Settlement> {
  if (outcome.startsWith("late_payment")) count("late_payments", { outcome });
  await tx.update(payments).set({ outcome }).where(eq(payments.id, payment.id));
  return { outcome, refundIds };
}

/**
 * A declined or failed attempt. A failure that arrives after the payment succeeded (events out of order, or the
 * customer's second card worked) changes nothing. Otherwise the reservation stays held, the customer sees the reason on
 * the payment page and can retry, and one payment-failed email per checkout attempt is queued.
 */
export async function recordFailure(
  tx: Tx,
  payment: PaymentRow,
  failure: { code: string | null; message: string | null; paymentIntentId: string },
  requestId?: string,
): Promise<Settlement> {
  if (PAID.has(payment.status)) return { outcome: "stale_failure_ignored", refundIds: [] };
  if (payment.status === "expired" || payment.status === "cancelled")
    return { outcome: "failure_after_expiry_ignored", refundIds: [] };
  const now = clock.now();
  await movePayment(
    tx,
    payment,
    {
      status: "failed",
      failureCode: failure.code,
      failureMessage: failure.message,
      paymentIntentId: failure.paymentIntentId,
      outcome: "payment_failed",
    },
    { code: failure.code },
    now,
    requestId,
  );
  const [r] = await tx.select().from(reservations).where(eq(reservations.id, payment.reservationId));
  if (r && r.status === "held") {
    await enqueueNotification(tx, {
      ...reservationNotice(
        "payment_failed",
        r,
        { paymentId: payment.id, failureCode: failure.code, holdExpiresAt: r.holdExpiresAt?.toISOString() ?? null },
        requestId,
      ),
      key: `attempt-${payment.attempt}`,
    });
  }
  return { outcome: "payment_failed", refundIds: [] };
}

/** The checkout session ended unpaid: the attempt is over (the hold is governed by its own expiry). */
export async function recordSessionExpired(tx: Tx, payment: PaymentRow, requestId?: string): Promise<Settlement> {
  const closed = await closeAttempt(tx, {
    paymentId: payment.id,
    to: "expired",
    outcome: "session_expired",
    actor,
    requestId,
  });
  return { outcome: closed ? "session_expired" : "ignored_not_pending", refundIds: [] };
}

/**
 * Ends a payment attempt that took no money (`pending`/`failed` → `expired` or `cancelled`), with its audit row, in the
 * caller's transaction. The status guard makes it a no-op when the attempt moved on meanwhile (e.g. it was paid).
 * Every way an attempt ends unpaid goes through here: session expired, hold ended, new attempt, gateway failure.
 */
export async function closeAttempt(
  tx: Tx,
  input: {
    paymentId: string;
    to: "expired" | "cancelled";
    /** Also the audit action and domain event `payment.<outcome>` (src/server/audit/events.ts). */
    outcome: "checkout_abandoned" | "superseded" | "checkout_failed" | "hold_ended" | "session_expired";
    actor: Actor;
    requestId?: string;
    /** Extra columns to record with the change (e.g. the gateway's failure, the session id). */
    details?: Partial<Pick<PaymentRow, "failureCode" | "failureMessage" | "checkoutSessionId">>;
  },
): Promise<boolean> {
  const [before] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, input.paymentId));
  const closed = await tx
    .update(payments)
    .set({ status: input.to, outcome: input.outcome, updatedAt: clock.now(), ...input.details })
    .where(and(eq(payments.id, input.paymentId), inArray(payments.status, ["pending", "failed"])))
    .returning({ id: payments.id });
  if (closed.length === 0) return false;
  await writeAudit(tx, {
    actor: input.actor,
    action: `payment.${input.outcome}` satisfies DomainEvent,
    entityType: "payment",
    entityId: input.paymentId,
    before: { status: before?.status },
    after: { status: input.to, ...(input.details?.failureCode ? { failureCode: input.details.failureCode } : {}) },
    requestId: input.requestId,
  });
  return true;
}

/**
 * Staff's decision on a late payment kept under LATE_PAYMENT_POLICY=manual (or any late payment still held): take
 * the seats back with the capacity rule and confirm. If the seats are gone it answers sold_out and changes nothing;
 * staff then refund (refundPayment). The verb /manage calls; the staff member's reason goes on the same audit row.
 */
export async function acceptLatePayment(input: {
  paymentId: string;
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<{ reservationId: string }> {
  return asService(async (tx) => {
    const payment = await lockPayment(tx, input.paymentId);
    if (!payment) throw new AppError("not_found", "No such payment.");
    const r = await lockReservation(tx, payment.reservationId);
    if (!r || !mayAcceptLatePayment(r.status, payment)) {
      throw new AppError(
        "invalid_state",
        "Only a captured, unrefunded late payment of an expired reservation can be accepted.",
      );
    }
    if (!(await reacquireSeats(tx, r, clock.now()))) {
      throw new AppError("sold_out", "The seats were taken in the meantime; refund the payment instead.");
    }
    await confirmLocked(tx, r, {
      actor: input.actor,
      action: "reservation.late_payment_accepted",
      payload: { paymentId: payment.id, seatsTaken: r.quantity },
      reason: input.reason,
      requestId: input.requestId,
    });
    await tx
      .update(payments)
      .set({ outcome: "late_payment_accepted", updatedAt: clock.now() })
      .where(eq(payments.id, payment.id));
    return { reservationId: r.id };
  });
}
