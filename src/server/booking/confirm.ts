import "server-only";
import { eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { reservations } from "@/server/db/schema";
import { enqueueNotification, reservationNotice } from "@/server/notifications/outbox";
import { lockReservation } from "./lock";
import { count } from "@/server/observability/metrics";

export type ConfirmOutcome = "confirmed" | "already_confirmed" | "not_held";
type ReservationRow = typeof reservations.$inferSelect;

/**
 * Turns a held reservation into a confirmed one, with its audit and confirmation outbox rows, in the caller's
 * transaction. The caller holds the reservation's row lock (and, for a late payment, has taken the seats back).
 * `reason` is a staff member's reason for confirming (accepting a late payment), kept on the same audit row.
 */
export async function confirmLocked(
  tx: Tx,
  r: ReservationRow,
  options: { actor: Actor; action?: string; payload?: Record<string, unknown>; reason?: string; requestId?: string },
): Promise<ReservationRow> {
  const now = clock.now();
  const [updated] = await tx
    .update(reservations)
    .set({ status: "confirmed", confirmedAt: now, holdExpiresAt: null, version: r.version + 1, updatedAt: now })
    .where(eq(reservations.id, r.id))
    .returning();
  if (!updated) throw new Error("confirm update returned no row");
  const via =
    options.action === "reservation.late_payment_reacquired"
      ? "late_payment"
      : options.actor.kind === "user"
        ? "staff"
        : "payment";
  count("confirmations", { via });
  await writeAudit(tx, {
    actor: options.actor,
    action: options.action ?? "reservation.confirmed",
    entityType: "reservation",
    entityId: r.id,
    before: { status: r.status },
    after: { status: "confirmed", ...options.payload },
    reason: options.reason,
    requestId: options.requestId,
  });
  await enqueueNotification(tx, reservationNotice("confirmed", updated, options.payload ?? {}, options.requestId));
  return updated;
}

/**
 * Confirms a held reservation outside the payment flow (a staff tool; the expiry race tests). Payments confirm
 * through the webhook handlers and a kept late payment through acceptLatePayment, both with confirmLocked. The row is
 * locked first, so a confirmation racing the expiry job sees either `held` (and wins) or `expired` (and reports
 * `not_held`). Seats are never released or taken twice.
 */
export async function confirmReservation(input: {
  reservationId: string;
  actor: Actor;
  requestId?: string;
}): Promise<{ outcome: ConfirmOutcome; status: string }> {
  return asService(async (tx) => {
    const r = await lockReservation(tx, input.reservationId);
    if (!r) return { outcome: "not_held" as const, status: "missing" };
    if (r.status === "confirmed") return { outcome: "already_confirmed" as const, status: r.status };
    if (r.status !== "held") return { outcome: "not_held" as const, status: r.status };
    await confirmLocked(tx, r, { actor: input.actor, requestId: input.requestId });
    return { outcome: "confirmed" as const, status: "confirmed" };
  });
}
