import "server-only";
import { and, eq, gt, inArray, isNotNull } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { logger } from "@/lib/logger";
import { asService } from "@/server/db";
import { payments, reservations } from "@/server/db/schema";
import { expireCheckoutSession } from "./gateway";
import { closeAttempt } from "./settle";

/**
 * Expires, at the gateway, the open checkout sessions of reservations that can no longer be paid for (hold expired,
 * or cancelled). Runs after expire-holds commits and after a cancellation; never inside a transaction, because it
 * calls Stripe. A session Stripe reports as already complete is left alone: its payment is on the way and the
 * late-payment policy decides. Failures are logged and retried on the next run.
 */
export async function expireSessionsOfEndedHolds(
  options: { reservationId?: string; limit?: number } = {},
): Promise<number> {
  const now = clock.now();
  const due = await asService((tx) =>
    tx
      .select({ id: payments.id, sessionId: payments.checkoutSessionId, status: payments.status })
      .from(payments)
      .innerJoin(reservations, eq(reservations.id, payments.reservationId))
      .where(
        and(
          inArray(payments.status, ["pending", "failed"]),
          isNotNull(payments.checkoutSessionId),
          gt(payments.sessionExpiresAt, now),
          inArray(reservations.status, ["expired", "cancelled"]),
          options.reservationId ? eq(payments.reservationId, options.reservationId) : undefined,
        ),
      )
      .limit(options.limit ?? 50),
  );
  let expired = 0;
  for (const p of due) {
    try {
      const result = await expireCheckoutSession(p.sessionId as string);
      if (result.expired || result.status === "expired") {
        await asService((tx) =>
          closeAttempt(tx, {
            paymentId: p.id,
            to: "expired",
            outcome: "session_expired",
            actor: { kind: "system", name: "expire-holds" },
          }),
        );
        expired++;
      }
    } catch (error) {
      logger.warn(
        { event: "payment.session_expire_failed", paymentId: p.id, err: error },
        "could not expire a checkout session; next run retries",
      );
    }
  }
  return expired;
}
