import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, gt, like, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { notifications } from "@/server/db/schema";
import { enqueueNotification, reservationNotice, type NotificationKind } from "./outbox";
import { lockReservation } from "@/server/booking/lock";

/**
 * Sending a message again. Never by resetting the old row: a resend is a new outbox row (its own dedupe key
 * `…:resend:<uuid>`), so the history of what went out stays intact, and it goes through the same dispatcher.
 */

/** Staff: send any notification again (also a failed or bounced one, e.g. after the address was corrected). */
export async function resendNotification(input: {
  notificationId: string;
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<{ id: string }> {
  return asService(async (tx) => {
    const [original] = await tx.select().from(notifications).where(eq(notifications.id, input.notificationId));
    if (!original) throw new AppError("not_found", "No such notification.");
    const id = await enqueueNotification(tx, {
      reservationId: original.reservationId ?? undefined,
      userId: original.userId ?? undefined,
      kind: original.kind as NotificationKind,
      channel: original.channel,
      revision: original.revision,
      key: `${original.revision}:resend:${randomUUID()}`,
      recipient: original.recipient,
      locale: original.locale === "en" ? "en" : "ja",
      payload: { ...(original.payload as Record<string, unknown>), resendOf: original.id },
      requestId: input.requestId,
    });
    if (!id) throw new Error("resend row was not inserted");
    await writeAudit(tx, {
      actor: input.actor,
      action: "notification.resent",
      entityType: "reservation",
      entityId: original.reservationId ?? original.id,
      after: { notificationId: id, resendOf: original.id, kind: original.kind },
      reason: input.reason,
      requestId: input.requestId,
    });
    return { id };
  });
}

/** How often a customer may ask for their confirmation again. */
export const CUSTOMER_RESENDS_PER_HOUR = 3;

/** Customer ("resend my confirmation" on the reservation page): rate limited per reservation, from the database. */
export async function resendConfirmation(input: {
  reservationId: string;
  actor: Actor;
  requestId?: string;
}): Promise<{ id: string }> {
  const now = clock.now();
  return asService(async (tx) => {
    const r = await lockReservation(tx, input.reservationId);
    if (!r) throw new AppError("reservation_not_found", "No reservation matches this link.");
    if (r.status !== "confirmed")
      throw new AppError("invalid_state", "Only a confirmed booking has a confirmation to resend.");
    const [recent] = await tx
      .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${notifications.createdAt})` })
      .from(notifications)
      .where(
        and(
          eq(notifications.reservationId, r.id),
          eq(notifications.kind, "confirmed"),
          eq(notifications.channel, "email"),
          like(notifications.dedupeKey, "%:customer-resend:%"),
          gt(notifications.createdAt, new Date(now.getTime() - 3_600_000)),
        ),
      );
    if ((recent?.n ?? 0) >= CUSTOMER_RESENDS_PER_HOUR) {
      const oldest = recent?.oldest ? new Date(recent.oldest).getTime() : now.getTime();
      const retryAfter = Math.max(1, Math.ceil((oldest + 3_600_000 - now.getTime()) / 1000));
      throw new AppError("rate_limited", `The confirmation can be resent ${CUSTOMER_RESENDS_PER_HOUR} times an hour.`, {
        retryAfterSeconds: retryAfter,
      });
    }
    // Email only: the customer asked for the email again (an SMS would not be what they asked for).
    const key = `${r.version}:customer-resend:${randomUUID()}`;
    const id = await enqueueNotification(tx, {
      ...reservationNotice("confirmed", r, { resend: true }, input.requestId),
      key,
      sms: undefined,
    });
    await writeAudit(tx, {
      actor: input.actor,
      action: "notification.resent",
      entityType: "reservation",
      entityId: r.id,
      after: { kind: "confirmed", by: "customer", notificationId: id },
      requestId: input.requestId,
    });
    if (!id) throw new Error("resend row was not inserted");
    return { id };
  });
}
