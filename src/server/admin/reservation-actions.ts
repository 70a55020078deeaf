import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { notifications, payments, reservations } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { resendNotification } from "@/server/notifications/resend";
import { refundPayment, type RefundRow } from "@/server/payments/refunds";
import { acceptLatePayment } from "@/server/payments/settle";
import { lockReservation } from "@/server/booking/lock";

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
    throw new AppError(
      "validation_failed",
      "body.paymentId: this reservation has more than one captured payment; say which one",
      {
        errors: [{ path: "body.paymentId", message: "required: more than one captured payment" }],
      },
    );
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
  return {
    refund: {
      id: refund.id,
      paymentId: refund.paymentId,
      amount: refund.amount,
      currency: refund.currency,
      status: refund.status,
    },
  };
}

/** Sends one of this reservation's notifications again (a new outbox row; the original stays as it was). */
export async function resendReservationNotification(
  input: ActionInput & { notificationId: string },
): Promise<{ id: string }> {
  const [original] = await asService((tx) =>
    tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.id, input.notificationId), eq(notifications.reservationId, input.reservationId))),
  );
  if (!original) throw new AppError("not_found", "This reservation has no notification with that id.");
  return resendNotification({
    notificationId: original.id,
    actor: input.actor,
    reason: input.reason,
    requestId: input.requestId,
  });
}

/**
 * A staff member's own message to the customer, by email only (an SMS would carry neither the words nor the link):
 * one outbox row of kind staff_message, under a fresh key so every message is its own row, written with its audit
 * row in one transaction under the reservation's row lock, so it names the address and language in force then.
 */
export async function sendStaffMessage(
  input: ActionInput & { subject: string; message: string },
): Promise<{ id: string }> {
  return asService(async (tx) => {
    const r = await lockReservation(tx, input.reservationId);
    if (!r) throw new AppError("reservation_not_found", "No reservation has this id.");
    const id = await enqueueNotification(tx, {
      ...reservationNotice("staff_message", r, { subject: input.subject, message: input.message }, input.requestId),
      channel: "email",
      key: randomUUID(),
      sms: undefined,
    });
    if (!id) throw new Error("staff message row was not inserted");
    await writeAudit(tx, {
      actor: input.actor,
      action: "notification.staff_message",
      entityType: "reservation",
      entityId: r.id,
      // The words themselves are kept too: this is the record of what staff told the customer, which is what a
      // later dispute turns on. The audit log is staff-only, and the outbox row (and its rendered copy) already holds
      // the same text, so keeping it here exposes nothing new and survives any pruning of the outbox.
      after: { notificationId: id, recipient: r.customerEmail, subject: input.subject, message: input.message },
      reason: input.reason,
      requestId: input.requestId,
    });
    return { id };
  });
}

/**
 * Keeps a late payment (LATE_PAYMENT_POLICY=manual) by taking the seats back and confirming; sold_out when they are
 * gone (then staff refund instead). The staff member's reason is on acceptLatePayment's own audit row.
 */
export async function acceptReservationLatePayment(
  input: ActionInput,
): Promise<{ reservationId: string; status: "confirmed" }> {
  const [late] = await asService(async (tx) => {
    await assertExists(tx, input.reservationId);
    return tx
      .select({ id: payments.id })
      .from(payments)
      .where(
        and(
          eq(payments.reservationId, input.reservationId),
          eq(payments.latePayment, true),
          eq(payments.status, "succeeded"),
        ),
      );
  });
  if (!late) throw new AppError("invalid_state", "This reservation has no late payment waiting for a decision.");
  await acceptLatePayment({ paymentId: late.id, actor: input.actor, reason: input.reason, requestId: input.requestId });
  return { reservationId: input.reservationId, status: "confirmed" };
}

async function assertExists(tx: Tx, reservationId: string): Promise<void> {
  const [r] = await tx.select({ id: reservations.id }).from(reservations).where(eq(reservations.id, reservationId));
  if (!r) throw new AppError("reservation_not_found", "No reservation has this id.");
}
