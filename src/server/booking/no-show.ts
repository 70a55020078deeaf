import "server-only";
import { eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { reservations } from "@/server/db/schema";
import { mayMarkNoShow } from "./policy";
import { lockReservationWithSlot } from "./lock";

export type NoShowInput = {
  reservationId: string;
  actor: Actor;
  reason: string;
  requestId?: string;
};

/**
 * Staff: the customer of a confirmed reservation did not come. Only once the slot has started (before that the
 * customer may still arrive, and staff would cancel instead). The reservation row is locked, so a cancellation or
 * reschedule racing this sees `no_show` afterwards (and is refused), or this sees their result and is refused.
 *
 * The seats are NOT released: the slot has started, so nobody can book them any more (a hold requires a future
 * slot), and `slots.reserved` keeps saying how many seats were taken for that session, which is what reports about
 * past slots need. No payment changes either: a no-show keeps what was paid; a goodwill refund is a separate,
 * audited refund. No email goes to the customer.
 */
export async function markNoShow(input: NoShowInput): Promise<{ id: string; status: "no_show"; version: number }> {
  const now = clock.now();
  return asService(async (tx) => {
    const row = await lockReservationWithSlot(tx, input.reservationId);
    if (!row) throw new AppError("reservation_not_found", "No reservation has this id.");
    const { r } = row;
    const { startsAt } = row.slot;
    if (!mayMarkNoShow(r.status, startsAt, now)) {
      throw new AppError(
        "invalid_state",
        "Only a confirmed reservation whose slot has started can be marked as a no-show.",
      );
    }
    const version = r.version + 1;
    await tx.update(reservations).set({ status: "no_show", version, updatedAt: now }).where(eq(reservations.id, r.id));
    await writeAudit(tx, {
      actor: input.actor,
      action: "reservation.no_show",
      entityType: "reservation",
      entityId: r.id,
      before: { status: r.status },
      after: { status: "no_show", slotId: r.slotId, startsAt: startsAt.toISOString(), seatsKept: r.quantity },
      reason: input.reason,
      requestId: input.requestId,
    });
    return { id: r.id, status: "no_show" as const, version };
  });
}
