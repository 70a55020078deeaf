import "server-only";
import { and, eq, lte } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { services, slots } from "@/server/db/schema";

/** Manual slot management (staff UI and scripts). Capacity can never drop below the seats already reserved. */

/** The largest capacity a slot may have (the CSV import uses the same bound). */
export const MAX_SLOT_CAPACITY = 10_000;

export async function createSlot(input: {
  serviceId: string;
  startsAt: Date;
  capacity?: number;
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<typeof slots.$inferSelect> {
  if (input.startsAt <= clock.now()) {
    throw new AppError("validation_failed", "startsAt: must be in the future", {
      errors: [{ path: "startsAt", message: "must be in the future" }],
    });
  }
  return asService(async (tx) => {
    const [service] = await tx.select().from(services).where(eq(services.id, input.serviceId));
    if (!service) throw new AppError("not_found", "No such service.");
    const capacity = input.capacity ?? service.defaultCapacity;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_SLOT_CAPACITY) {
      throw new AppError("validation_failed", `capacity: must be a whole number from 1 to ${MAX_SLOT_CAPACITY}`);
    }
    const [slot] = await tx
      .insert(slots)
      .values({
        serviceId: service.id,
        startsAt: input.startsAt,
        endsAt: new Date(input.startsAt.getTime() + service.durationMinutes * 60_000),
        capacity,
      })
      .onConflictDoNothing({ target: [slots.serviceId, slots.startsAt] })
      .returning();
    if (!slot) throw new AppError("conflict", "This service already has a slot starting at that time.");
    await writeAudit(tx, {
      actor: input.actor,
      action: "slot.created",
      entityType: "slot",
      entityId: slot.id,
      after: { startsAt: slot.startsAt.toISOString(), capacity },
      reason: input.reason,
      requestId: input.requestId,
    });
    return slot;
  });
}

export async function updateSlot(input: {
  slotId: string;
  capacity?: number;
  status?: "open" | "closed" | "cancelled";
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<typeof slots.$inferSelect> {
  if (
    input.capacity !== undefined &&
    (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > MAX_SLOT_CAPACITY)
  ) {
    throw new AppError("validation_failed", `capacity: must be a whole number from 0 to ${MAX_SLOT_CAPACITY}`);
  }
  const now = clock.now();
  return asService(async (tx) => {
    const [before] = await tx.select().from(slots).where(eq(slots.id, input.slotId)).for("update");
    if (!before) throw new AppError("slot_not_found", "This time slot does not exist.");
    if (input.status === "cancelled" && before.reserved > 0) {
      throw new AppError(
        "invalid_state",
        "Move or cancel the reservations in this slot before cancelling it; closing stops new bookings.",
      );
    }
    const capacity = input.capacity ?? before.capacity;
    const [after] = await tx
      .update(slots)
      .set({ capacity, status: input.status ?? before.status, updatedAt: now })
      .where(and(eq(slots.id, input.slotId), lte(slots.reserved, capacity)))
      .returning();
    if (!after) {
      throw new AppError(
        "capacity_below_reserved",
        `${before.reserved} seats are already reserved; capacity cannot be lower.`,
      );
    }
    await writeAudit(tx, {
      actor: input.actor,
      action: "slot.updated",
      entityType: "slot",
      entityId: after.id,
      before: { capacity: before.capacity, status: before.status },
      after: { capacity: after.capacity, status: after.status },
      reason: input.reason,
      requestId: input.requestId,
    });
    return after;
  });
}

export async function closeSlot(input: { slotId: string; actor: Actor; reason?: string; requestId?: string }) {
  return updateSlot({ ...input, status: "closed" });
}
