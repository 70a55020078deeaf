import "server-only";
import { eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { reservations } from "@/server/db/schema";
import { enqueueConfirmation } from "./hold";

export type ConfirmOutcome = "confirmed" | "already_confirmed" | "not_held";

/**
 * Turns a held reservation into a confirmed one (payment succeeded), with its audit row and confirmation outbox row.
 * The reservation row is locked first, so a confirmation racing the expiry job sees either `held` (and wins) or
 * `expired` (and reports `not_held`: the late-payment policy of the payments capability takes over). Seats are never
 * released or taken twice.
 */
export async function confirmReservation(input: {
  reservationId: string;
  actor: Actor;
  requestId?: string;
}): Promise<{ outcome: ConfirmOutcome; status: string }> {
  const now = clock.now();
  return asService(async (tx) => {
    const [r] = await tx.select().from(reservations).where(eq(reservations.id, input.reservationId)).for("update");
    if (!r) return { outcome: "not_held" as const, status: "missing" };
    if (r.status === "confirmed") return { outcome: "already_confirmed" as const, status: r.status };
    if (r.status !== "held") return { outcome: "not_held" as const, status: r.status };
    const [updated] = await tx
      .update(reservations)
      .set({ status: "confirmed", confirmedAt: now, holdExpiresAt: null, version: r.version + 1, updatedAt: now })
      .where(eq(reservations.id, r.id))
      .returning();
    if (!updated) throw new Error("confirm update returned no row");
    await writeAudit(tx, {
      actor: input.actor,
      action: "reservation.confirmed",
      entityType: "reservation",
      entityId: r.id,
      before: { status: "held" },
      after: { status: "confirmed" },
      requestId: input.requestId,
    });
    await enqueueConfirmation(tx, updated, input.requestId);
    return { outcome: "confirmed" as const, status: "confirmed" };
  });
}
