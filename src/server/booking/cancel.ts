import "server-only";
import { eq, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { reservations, slots } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { assertCustomerMayChange } from "./policy";

export type CancelInput = {
  reservationId: string;
  /** Customers are bound by CANCELLATION_DEADLINE_HOURS; staff may cancel at any time. */
  by: "customer" | "staff";
  actor: Actor;
  reason?: string;
  requestId?: string;
};

/**
 * Cancels a held or confirmed reservation and returns its seats, with the audit and outbox rows, in one transaction.
 * The caller has already checked who may act (manage token, owner or staff). Refunds plug in with payments.
 */
export async function cancelReservation(input: CancelInput): Promise<{ id: string; status: "cancelled"; version: number }> {
  const now = clock.now();
  return asService(async (tx) => {
    const [row] = await tx
      .select({ r: reservations, slot: slots })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .where(eq(reservations.id, input.reservationId))
      .for("update", { of: reservations });
    if (!row) throw new AppError("reservation_not_found", "No reservation matches this link.");
    const { r, slot } = row;
    if (r.status !== "held" && r.status !== "confirmed") {
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
    await enqueueNotification(tx, reservationNotice("cancelled", { ...r, version }, {}, input.requestId));
    return { id: r.id, status: "cancelled" as const, version };
  });
}
