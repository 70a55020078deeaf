import "server-only";
import { eq } from "drizzle-orm";
import type { Tx } from "@/server/db";
import { reservations, slots } from "@/server/db/schema";

export type Reservation = typeof reservations.$inferSelect;
export type Slot = typeof slots.$inferSelect;

/**
 * Locks one reservation row for the rest of the transaction (`select … for update`): every verb that changes a
 * reservation takes this lock first, so two verbs on the same reservation run one after the other and each sees the
 * other's `version`. Undefined when no reservation has this id; the caller says what that means for it.
 */
export async function lockReservation(tx: Tx, reservationId: string): Promise<Reservation | undefined> {
  const [r] = await tx.select().from(reservations).where(eq(reservations.id, reservationId)).for("update");
  return r;
}

/** The same lock, with the reservation's slot read alongside (the slot row itself is not locked). */
export async function lockReservationWithSlot(
  tx: Tx,
  reservationId: string,
): Promise<{ r: Reservation; slot: Slot } | undefined> {
  const [row] = await tx
    .select({ r: reservations, slot: slots })
    .from(reservations)
    .innerJoin(slots, eq(slots.id, reservations.slotId))
    .where(eq(reservations.id, reservationId))
    .for("update", { of: reservations });
  return row;
}
