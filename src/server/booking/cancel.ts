import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { payments, reservations, slots } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { lockPayment, reserveRefund, submitRefund, type RefundRow } from "@/server/payments/refunds";
import { expireSessionsOfEndedHolds } from "@/server/payments/sessions";
import { assertCustomerMayChange, isActive } from "./policy";
import { lockReservationWithSlot } from "./lock";

export type CancelInput = {
  reservationId: string;
  /** Customers are bound by CANCELLATION_DEADLINE_HOURS; staff may cancel at any time. */
  by: "customer" | "staff";
  actor: Actor;
  reason?: string;
  requestId?: string;
  /**
   * Refund policy for a paid reservation. Customers (who may only cancel before CANCELLATION_DEADLINE_HOURS) get
   * the full remaining amount back; staff choose full (default), none, or a partial amount.
   */
  refund?: "full" | "none" | { amount: number };
};

export type CancelResult = {
  id: string;
  status: "cancelled";
  version: number;
  refund: { id: string; amount: number; currency: string; status: RefundRow["status"] } | null;
};

/**
 * Cancels a held or confirmed reservation and returns its seats, with the audit and outbox rows and the refund
 * ledger entry, in one transaction. The caller has already checked who may act (manage token, owner or staff).
 * After commit the refund goes to the gateway and any open checkout session of a held reservation is expired.
 */
export async function cancelReservation(input: CancelInput): Promise<CancelResult> {
  const now = clock.now();
  const result = await asService(async (tx) => {
    const row = await lockReservationWithSlot(tx, input.reservationId);
    if (!row) throw new AppError("reservation_not_found", "No reservation matches this link.");
    const { r, slot } = row;
    if (!isActive(r.status)) {
      throw new AppError("invalid_state", `A ${r.status} reservation cannot be cancelled.`);
    }
    if (input.by === "customer") assertCustomerMayChange(slot.startsAt, now, "cancellation");
    const version = r.version + 1;
    await tx
      .update(reservations)
      .set({ status: "cancelled", cancelledAt: now, cancelReason: input.reason ?? null, version, updatedAt: now })
      .where(eq(reservations.id, r.id));
    await tx
      .update(slots)
      .set({ reserved: sql`${slots.reserved} - ${r.quantity}`, updatedAt: now })
      .where(eq(slots.id, r.slotId));
    await writeAudit(tx, {
      actor: input.actor,
      action: "reservation.cancelled",
      entityType: "reservation",
      entityId: r.id,
      before: { status: r.status },
      after: { status: "cancelled", seatsReleased: r.quantity },
      reason: input.reason,
      requestId: input.requestId,
    });
    const refund = await refundOnCancel(tx, r.id, input);
    await enqueueNotification(
      tx,
      reservationNotice(
        "cancelled",
        { ...r, version },
        refund ? { refundAmount: refund.amount, currency: refund.currency } : {},
        input.requestId,
      ),
    );
    return { id: r.id, status: "cancelled" as const, version, refund, wasHeld: r.status === "held" };
  });
  let refund = result.refund;
  if (refund) refund = (await submitRefund(refund.id, input.requestId)).refund;
  if (result.wasHeld) await expireSessionsOfEndedHolds({ reservationId: result.id });
  return {
    id: result.id,
    status: result.status,
    version: result.version,
    refund: refund ? { id: refund.id, amount: refund.amount, currency: refund.currency, status: refund.status } : null,
  };
}

async function refundOnCancel(tx: Tx, reservationId: string, input: CancelInput): Promise<RefundRow | null> {
  const policy = input.by === "customer" ? "full" : (input.refund ?? "full");
  if (policy === "none") return null;
  const [paid] = await tx
    .select({ id: payments.id })
    .from(payments)
    .where(
      and(eq(payments.reservationId, reservationId), inArray(payments.status, ["succeeded", "partially_refunded"])),
    );
  if (!paid) return null;
  const payment = await lockPayment(tx, paid.id);
  if (!payment || payment.amountRefunded >= payment.amount) return null;
  return reserveRefund(tx, {
    payment,
    amount: policy === "full" ? undefined : policy.amount,
    reason: input.reason ? `cancelled: ${input.reason}` : "cancelled",
    actor: input.actor,
    requestId: input.requestId,
  });
}
