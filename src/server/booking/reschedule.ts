import "server-only";
import { eq, inArray, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { reservationSlotChanges, reservations, slots } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { assertCustomerMayChange, isActive } from "./policy";
import { lockReservation } from "./lock";

export type RescheduleInput = {
  reservationId: string;
  toSlotId: string;
  by: "customer" | "staff";
  actor: Actor;
  reason?: string;
  requestId?: string;
};

/**
 * Moves a reservation to another slot of the same service (invariant 6): both slots are locked in slot-id order,
 * the new seats are taken and the old ones released in one transaction, with the history row, audit row and outbox
 * row. A sold-out or closed target changes nothing.
 */
export async function rescheduleReservation(
  input: RescheduleInput,
): Promise<{ id: string; slotId: string; version: number }> {
  const now = clock.now();
  return asService(async (tx) => {
    const r = await lockReservation(tx, input.reservationId);
    if (!r) throw new AppError("reservation_not_found", "No reservation matches this link.");
    if (!isActive(r.status)) {
      throw new AppError("invalid_state", `A ${r.status} reservation cannot be rescheduled.`);
    }
    if (r.slotId === input.toSlotId) throw new AppError("invalid_state", "The reservation is already in this slot.");

    const locked = await tx
      .select()
      .from(slots)
      .where(inArray(slots.id, [r.slotId, input.toSlotId]))
      .orderBy(slots.id)
      .for("update");
    const from = locked.find((s) => s.id === r.slotId);
    const to = locked.find((s) => s.id === input.toSlotId);
    if (!from) throw new Error(`reservation ${r.id} points at a missing slot`);
    if (!to) throw new AppError("slot_not_found", "The new time slot does not exist.");
    if (to.serviceId !== from.serviceId) {
      throw new AppError("validation_failed", "body.slotId: must be a slot of the same service", {
        errors: [{ path: "body.slotId", message: "must be a slot of the same service" }],
      });
    }
    if (input.by === "customer") assertCustomerMayChange(from.startsAt, now, "changes");
    if (to.status !== "open") throw new AppError("slot_closed", "The new time slot is not open for booking.");
    if (to.startsAt <= now) throw new AppError("slot_in_past", "The new time slot has already started.");
    if (to.reserved + r.quantity > to.capacity)
      throw new AppError("sold_out", "Not enough seats are left in the new time slot.");

    // Both rows are locked, so these updates cannot race; the CHECK constraint still guards the bounds.
    for (const slot of locked) {
      const delta = slot.id === to.id ? r.quantity : -r.quantity;
      await tx
        .update(slots)
        .set({ reserved: sql`${slots.reserved} + ${delta}`, updatedAt: now })
        .where(eq(slots.id, slot.id));
    }
    const version = r.version + 1;
    await tx.update(reservations).set({ slotId: to.id, version, updatedAt: now }).where(eq(reservations.id, r.id));
    await tx.insert(reservationSlotChanges).values({
      reservationId: r.id,
      fromSlotId: from.id,
      toSlotId: to.id,
      actorId: input.actor.kind === "user" ? input.actor.id : null,
      reason: input.reason ?? null,
      createdAt: now,
    });
    await writeAudit(tx, {
      actor: input.actor,
      action: "reservation.rescheduled",
      entityType: "reservation",
      entityId: r.id,
      before: { slotId: from.id, startsAt: from.startsAt.toISOString() },
      after: { slotId: to.id, startsAt: to.startsAt.toISOString() },
      reason: input.reason,
      requestId: input.requestId,
    });
    await enqueueNotification(
      tx,
      reservationNotice(
        "rescheduled",
        { ...r, version },
        {
          fromSlotId: from.id,
          toSlotId: to.id,
          previousStartsAt: from.startsAt.toISOString(),
          previousEndsAt: from.endsAt.toISOString(),
        },
        input.requestId,
      ),
    );
    return { id: r.id, slotId: to.id, version };
  });
}
