import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import type { AuthContext } from "@/server/auth/guard";
import { asService, asUser, type Tx } from "@/server/db";
import { notifications, payments, reservations } from "@/server/db/schema";
import { resendNotification } from "@/server/notifications/resend";
import { refundPayment, type RefundRow } from "@/server/payments/refunds";
import { acceptLatePayment } from "@/server/payments/settle";

/**
 * Staff actions on one reservation that the domain offers per payment or per notification: these find the payment
 * or notification of THIS reservation (so a URL about one reservation can never act on another's money or mail),
 * then call the domain verb, which locks, checks the state, and writes the audit row with the change.
 */

type ActionInput = { reservationId: string; actor: Actor; reason: string; requestId?: string };

const CAPTURED = ["succeeded", "partially_refunded", "refunded"] as const;

/** Refunds part or all of what remains of the reservation's captured payment, without cancelling it. */
export async function refundReservationPayment(
  input: ActionInput & { amount?: number; paymentId?: string; idempotencyKey?: string },
): Promise<{ refund: Pick<RefundRow, "id" | "paymentId" | "amount" | "currency" | "status"> }> {
  const captured = await asService(async (tx) => {
    await assertExists(tx, input.reservationId);
    return tx
      .select({ id: payments.id, amount: payments.amount, refunded: payments.amountRefunded })
      .from(payments)
      .where(and(eq(payments.reservationId, input.reservationId), inArray(payments.status, CAPTURED)));
  });
  if (captured.length === 0) throw new AppError("invalid_state", "This reservation has no captured payment to refund.");
  const refundable = captured.filter((p) => p.refunded < p.amount);
  if (!input.paymentId && refundable.length > 1) {
    throw new AppError("validation_failed", "body.paymentId: this reservation has more than one captured payment; say which one", {
      errors: [{ path: "body.paymentId", message: "required: more than one captured payment" }],
    });
  }
  // A fully refunded payment goes on to the ledger, which answers refund_exceeds_captured with what is left (0).
  const payment = input.paymentId ? captured.find((p) => p.id === input.paymentId) : (refundable[0] ?? captured[0]);
  if (!payment) throw new AppError("not_found", "This reservation has no captured payment with that id.");
  const { refund } = await refundPayment({
    paymentId: payment.id,
    amount: input.amount,
    reason: input.reason,
    actor: input.actor,
    requestId: input.requestId,
    idempotencyKey: input.idempotencyKey,
  });
  return { refund: { id: refund.id, paymentId: refund.paymentId, amount: refund.amount, currency: refund.currency, status: refund.status } };
}

/** Sends one of this reservation's notifications again (a new outbox row; the original stays as it was). */
export async function resendReservationNotification(input: ActionInput & { notificationId: string }): Promise<{ id: string }> {
  const [original] = await asService((tx) =>
    tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.id, input.notificationId), eq(notifications.reservationId, input.reservationId))),
  );
  if (!original) throw new AppError("not_found", "This reservation has no notification with that id.");
  return resendNotification({ notificationId: original.id, actor: input.actor, reason: input.reason, requestId: input.requestId });
}

/**
 * Keeps a late payment (LATE_PAYMENT_POLICY=manual) by taking the seats back and confirming; sold_out when they are
 * gone (then staff refund instead). acceptLatePayment writes `reservation.late_payment_accepted` in its transaction
 * but takes no reason, so the staff member's reason follows in its own row right after the commit (as the staff
 * member, under RLS); once the verb accepts a reason this row goes.
 */
export async function acceptReservationLatePayment(input: ActionInput & { auth: AuthContext }): Promise<{ reservationId: string; status: "confirmed" }> {
  const [late] = await asService(async (tx) => {
    await assertExists(tx, input.reservationId);
    return tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.reservationId, input.reservationId), eq(payments.latePayment, true), eq(payments.status, "succeeded")));
  });
  if (!late) throw new AppError("invalid_state", "This reservation has no late payment waiting for a decision.");
  await acceptLatePayment({ paymentId: late.id, actor: input.actor, requestId: input.requestId });
  await asUser(input.auth.claims, (tx) =>
    writeAudit(tx, {
      actor: input.actor,
      action: "reservation.late_payment_accepted_reason",
      entityType: "reservation",
      entityId: input.reservationId,
      after: { paymentId: late.id },
      reason: input.reason,
      requestId: input.requestId,
    }),
  );
  return { reservationId: input.reservationId, status: "confirmed" };
}

async function assertExists(tx: Tx, reservationId: string): Promise<void> {
  const [r] = await tx.select({ id: reservations.id }).from(reservations).where(eq(reservations.id, reservationId));
  if (!r) throw new AppError("reservation_not_found", "No reservation has this id.");
}
