import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Locale } from "@/lib/locale";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { reservations, services, slots } from "@/server/db/schema";
import { enqueueNotification } from "@/server/notifications/outbox";
import { newManageToken, newReservationCode } from "./codes";

export type HoldInput = {
  slotId: string;
  quantity: number;
  customer: { name: string; email: string; phone?: string };
  locale: Locale;
  /** Set when a signed-in person books; guests get a manage token instead. */
  userId?: string;
  actor: Actor;
  requestId?: string;
  /** Runs inside the hold's transaction just before it commits (e.g. to store the idempotent response). */
  beforeCommit?: (tx: Tx, result: HoldResult) => Promise<void>;
};

export type HeldReservation = {
  id: string;
  code: string;
  status: "held" | "confirmed";
  slotId: string;
  quantity: number;
  holdExpiresAt: string | null;
  amount: { amount: number; currency: string };
};

export type HoldResult = { reservation: HeldReservation; manageToken: string | null; paid: boolean };

/**
 * Takes seats on a slot (invariant 1): one conditional UPDATE that only succeeds while `reserved + quantity <=
 * capacity`, in the same transaction as the reservation, its audit row and its outbox rows. A paid service is held
 * until `hold_expires_at`; a free one is confirmed at once.
 */
export async function holdReservation(input: HoldInput): Promise<HoldResult> {
  const { HOLD_MINUTES, MAX_SEATS_PER_BOOKING } = getEnv();
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_SEATS_PER_BOOKING) {
    throw new AppError("quantity_invalid", `Book between 1 and ${MAX_SEATS_PER_BOOKING} seats.`, {
      errors: [{ path: "body.quantity", message: `must be between 1 and ${MAX_SEATS_PER_BOOKING}` }],
    });
  }
  const now = clock.now();

  return asService(async (tx) => {
    // The capacity check and the seat count change are one statement; the service's price comes back with it.
    const [taken] = await tx
      .update(slots)
      .set({ reserved: sql`${slots.reserved} + ${input.quantity}`, updatedAt: now })
      .from(services)
      .where(
        and(
          eq(slots.id, input.slotId),
          eq(services.id, slots.serviceId),
          eq(services.active, true),
          eq(slots.status, "open"),
          gt(slots.startsAt, now),
          sql`${slots.reserved} + ${input.quantity} <= ${slots.capacity}`,
        ),
      )
      .returning({ priceAmount: services.priceAmount, currency: services.currency });
    if (!taken) throw await whyNotBookable(tx, input.slotId, now);

    const paid = taken.priceAmount > 0;
    const manage = input.userId ? null : newManageToken();
    const [created] = await tx
      .insert(reservations)
      .values({
        code: newReservationCode(),
        slotId: input.slotId,
        userId: input.userId ?? null,
        customerName: input.customer.name,
        customerEmail: input.customer.email,
        customerPhone: input.customer.phone ?? null,
        quantity: input.quantity,
        status: paid ? "held" : "confirmed",
        holdExpiresAt: paid ? new Date(now.getTime() + HOLD_MINUTES * 60_000) : null,
        amount: taken.priceAmount * input.quantity,
        currency: taken.currency,
        locale: input.locale,
        manageTokenHash: manage?.hash ?? null,
        confirmedAt: paid ? null : now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!created) throw new Error("reservation insert returned no row");

    await writeAudit(tx, {
      actor: input.actor,
      action: paid ? "reservation.held" : "reservation.confirmed",
      entityType: "reservation",
      entityId: created.id,
      after: { status: created.status, slotId: created.slotId, quantity: created.quantity, amount: created.amount },
      requestId: input.requestId,
    });
    if (!paid) await enqueueConfirmation(tx, created, input.requestId);

    const result: HoldResult = {
      paid,
      manageToken: manage?.token ?? null,
      reservation: {
        id: created.id,
        code: created.code,
        status: created.status as "held" | "confirmed",
        slotId: created.slotId,
        quantity: created.quantity,
        holdExpiresAt: created.holdExpiresAt?.toISOString() ?? null,
        amount: { amount: created.amount, currency: created.currency },
      },
    };
    await input.beforeCommit?.(tx, result);
    return result;
  });
}

/** Only on the failure path: tells the caller precisely why the conditional update took no seats. */
async function whyNotBookable(tx: Tx, slotId: string, now: Date): Promise<AppError> {
  const [row] = await tx
    .select({ slot: slots, active: services.active })
    .from(slots)
    .innerJoin(services, eq(services.id, slots.serviceId))
    .where(eq(slots.id, slotId));
  if (!row) return new AppError("slot_not_found", "This time slot does not exist.");
  if (row.slot.status !== "open" || !row.active) return new AppError("slot_closed", "This time slot is not open for booking.");
  if (row.slot.startsAt <= now) return new AppError("slot_in_past", "This time slot has already started.");
  return new AppError("sold_out", "Not enough seats are left in this time slot.");
}

export async function enqueueConfirmation(
  tx: Tx,
  reservation: typeof reservations.$inferSelect,
  requestId?: string,
): Promise<void> {
  await enqueueNotification(tx, {
    reservationId: reservation.id,
    userId: reservation.userId ?? undefined,
    kind: "confirmed",
    revision: reservation.version,
    recipient: reservation.customerEmail,
    locale: reservation.locale === "en" ? "en" : "ja",
    payload: { code: reservation.code },
    requestId,
  });
}
