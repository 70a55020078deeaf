import { z } from "zod";
import { reasonField } from "@/lib/reason";
import { text } from "@/lib/text";

/**
 * Request bodies of the staff actions on one reservation (POST /api/admin/reservations/[id]/…). Every action takes a
 * reason, kept in the audit log. No server-only code here: the /manage forms use the same limits.
 */

export const reservationIdParams = z.object({ id: z.uuid() });

const amount = z.number().int().positive().max(100_000_000);

/** "full" refunds what remains of the captured payment, "none" keeps it, { amount } refunds that much. */
export const cancelBody = z.strictObject({
  reason: reasonField,
  refund: z.union([z.literal("full"), z.literal("none"), z.strictObject({ amount })]),
});

export const rescheduleBody = z.strictObject({ reason: reasonField, slotId: z.uuid() });

/** Without an amount, what remains of the payment; paymentId only when the reservation has two captured payments. */
export const refundBody = z.strictObject({
  reason: reasonField,
  amount: amount.optional(),
  paymentId: z.uuid().optional(),
});

export const noShowBody = z.strictObject({ reason: reasonField });

export const acceptLatePaymentBody = z.strictObject({ reason: reasonField });

/** Limits of a staff member's own message to the customer (the subject is one email header line). */
export const SUBJECT_MAX = 120;
export const MESSAGE_MAX = 5000;

/**
 * `resend`: one of the reservation's notifications again, as a new outbox row. `message`: the staff member's own
 * words to the customer, by email, inside the usual reservation email frame.
 */
export const notifyBody = z.discriminatedUnion("type", [
  z.strictObject({ reason: reasonField, type: z.literal("resend"), notificationId: z.uuid() }),
  z.strictObject({
    reason: reasonField,
    type: z.literal("message"),
    subject: text({ min: 1, max: SUBJECT_MAX, minMessage: "must not be empty" }),
    message: text({ min: 1, max: MESSAGE_MAX, multiline: true, minMessage: "must not be empty" }),
  }),
]);
