import "server-only";
import { desc, eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { appBaseUrl } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { payments, reservations, services, slots } from "@/server/db/schema";
import { createCheckoutSession, expireCheckoutSession, findOpenCheckoutSessions } from "./gateway";
import { closeAttempt } from "./settle";

/**
 * Starts (or resumes) paying for a held reservation.
 *
 * Holds and sessions: a hold lasts HOLD_MINUTES (default 15) but Stripe Checkout sessions live at least 30 minutes,
 * so a session cannot end with its hold. The hold stays the authority: the session is created with
 * `expires_at = now + 31 min` (the minute absorbs clock skew), and when the hold ends the expire-holds job releases
 * the seats and then expires the session at Stripe. Money that still arrives after the hold ended (a customer who
 * was on the payment page at that moment) follows LATE_PAYMENT_POLICY (settle.ts). docs/payments.md, decision 0013.
 *
 * Order of effects: the attempt's payment row is written first (with the expiry and id the Stripe call will carry),
 * then the session is created with the idempotency key `checkout:<reservation>:<attempt>`, then the row gets the
 * session. If Stripe is down or rejects the call, the customer gets a clear error (503 / 500), the hold is untouched
 * and the attempt is closed as `cancelled` (failure_code gateway_error), so the next click is a fresh attempt.
 */
export type CheckoutStart = { paymentId: string; sessionId: string; url: string; expiresAt: string; reused: boolean };

const SESSION_MINUTES = 31;

export async function startCheckout(input: {
  reservationId: string;
  actor: Actor;
  requestId?: string;
}): Promise<CheckoutStart> {
  const now = clock.now();
  const context = await asService(async (tx) => {
    const [row] = await tx
      .select({ r: reservations, service: services })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(eq(reservations.id, input.reservationId));
    if (!row) throw new AppError("reservation_not_found", "No reservation matches this link.");
    const attempts = await tx
      .select()
      .from(payments)
      .where(eq(payments.reservationId, input.reservationId))
      .orderBy(desc(payments.attempt));
    return { ...row, attempts };
  });
  const { r, service, attempts } = context;
  if (r.amount === 0) throw new AppError("payment_not_required", "This reservation is free; there is nothing to pay.");
  if (attempts.some((p) => p.status === "succeeded" || p.status === "partially_refunded" || p.status === "refunded")) {
    throw new AppError("already_paid", "This reservation is already paid.");
  }
  if (r.status === "confirmed") throw new AppError("already_paid", "This reservation is already confirmed.");
  if (r.status !== "held" || !r.holdExpiresAt || r.holdExpiresAt <= now) {
    throw new AppError(
      "hold_expired",
      "The hold on these seats has expired and they were released. Please book again.",
    );
  }

  // A double click or a page reload resumes the open attempt rather than starting a second one.
  const latest = attempts[0];
  if (
    latest &&
    latest.status === "pending" &&
    latest.checkoutUrl &&
    latest.checkoutSessionId &&
    latest.sessionExpiresAt &&
    latest.sessionExpiresAt > now
  ) {
    return {
      paymentId: latest.id,
      sessionId: latest.checkoutSessionId,
      url: latest.checkoutUrl,
      expiresAt: latest.sessionExpiresAt.toISOString(),
      reused: true,
    };
  }

  // An attempt still being opened (no session yet): a concurrent request waits; one left by a crash is closed.
  if (latest && latest.status === "pending" && !latest.checkoutSessionId) {
    if (now.getTime() - latest.createdAt.getTime() < 60_000) {
      throw new AppError(
        "conflict",
        "A payment page is already being opened for this booking; try again in a moment.",
        { retryAfterSeconds: 2 },
      );
    }
    await asService((tx) =>
      closeAttempt(tx, {
        paymentId: latest.id,
        to: "cancelled",
        outcome: "checkout_abandoned",
        actor: input.actor,
        requestId: input.requestId,
      }),
    );
  }

  // Earlier attempts' sessions are closed first, so at most one session per reservation can take money.
  for (const previous of attempts.filter(
    (p) => (p.status === "pending" || p.status === "failed") && p.checkoutSessionId,
  )) {
    const result = await expireCheckoutSession(previous.checkoutSessionId as string);
    if (!result.expired && result.status === "complete") {
      throw new AppError("already_paid", "A payment for this reservation was just received and is being processed.");
    }
    await asService((tx) =>
      closeAttempt(tx, {
        paymentId: previous.id,
        to: "expired",
        outcome: "superseded",
        actor: input.actor,
        requestId: input.requestId,
      }),
    );
  }

  // The attempt is written before Stripe is called, with the exact parameters the call will carry (id, expiry), so
  // a retry of this attempt sends identical parameters under the same idempotency key, and a failed attempt is
  // closed (`cancelled`) so the next click starts a new attempt with a new key: Stripe keeps a key's first answer,
  // even an error, for 24 h.
  const attempt = (latest?.attempt ?? 0) + 1;
  const draft = await asService(async (tx) => {
    const [inserted] = await tx
      .insert(payments)
      .values({
        reservationId: r.id,
        amount: r.amount,
        currency: r.currency,
        attempt,
        sessionExpiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + SESSION_MINUTES * 60_000),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    return inserted;
  });
  if (!draft)
    throw new AppError("conflict", "A payment page is already being opened for this booking; try again in a moment.", {
      retryAfterSeconds: 2,
    });

  const returnPath = `${appBaseUrl()}/reservations/${r.code}/pay`;
  let session: Awaited<ReturnType<typeof createCheckoutSession>>;
  try {
    session = await createCheckoutSession({
      reservationId: r.id,
      paymentId: draft.id,
      attempt,
      requestId: input.requestId ?? currentRequestId(),
      productName: r.locale === "en" ? service.nameEn : service.nameJa,
      unitAmount: r.amount / r.quantity,
      quantity: r.quantity,
      currency: r.currency,
      customerEmail: r.customerEmail,
      locale: r.locale === "en" ? "en" : "ja",
      successUrl: `${returnPath}?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${returnPath}?cancelled=1`,
      expiresAt: draft.sessionExpiresAt as Date,
    });
    if (!session.url) throw new AppError("internal", "The payment provider returned no checkout page.");
  } catch (error) {
    const failureMessage = error instanceof Error ? error.message.slice(0, 300) : null;
    await asService((tx) =>
      closeAttempt(tx, {
        paymentId: draft.id,
        to: "cancelled",
        outcome: "checkout_failed",
        actor: input.actor,
        requestId: input.requestId,
        details: { failureCode: "gateway_error", failureMessage },
      }),
    );
    if (error instanceof AppError && error.code === "dependency_unavailable") {
      await expireOrphanSessions({ paymentId: draft.id, reservationId: r.id, since: now, requestId: input.requestId });
    }
    throw error;
  }
  const url = session.url as string;

  const stored = await asService(async (tx) => {
    const [current] = await tx
      .select({ status: reservations.status })
      .from(reservations)
      .where(eq(reservations.id, r.id));
    if (current?.status !== "held") {
      await closeAttempt(tx, {
        paymentId: draft.id,
        to: "expired",
        outcome: "hold_ended",
        actor: input.actor,
        requestId: input.requestId,
        details: { checkoutSessionId: session.id },
      });
      return "hold_ended" as const;
    }
    await tx
      .update(payments)
      .set({
        checkoutSessionId: session.id,
        checkoutUrl: url,
        amount: session.amount_total ?? r.amount,
        sessionExpiresAt: new Date(session.expires_at * 1000),
        updatedAt: clock.now(),
      })
      .where(eq(payments.id, draft.id));
    await writeAudit(tx, {
      actor: input.actor,
      action: "payment.checkout_started",
      entityType: "payment",
      entityId: draft.id,
      after: { reservationId: r.id, attempt, sessionId: session.id, amount: session.amount_total ?? r.amount },
      requestId: input.requestId,
    });
    return "stored" as const;
  });
  if (stored === "hold_ended") {
    // The hold ended while Stripe was answering: close the session so it cannot take money for released seats.
    await expireCheckoutSession(session.id).catch(() => undefined);
    throw new AppError(
      "hold_expired",
      "The hold on these seats has expired and they were released. Please book again.",
    );
  }
  logger.info(
    {
      event: "payment.checkout_started",
      reservationId: r.id,
      paymentId: draft.id,
      attempt,
      requestId: input.requestId,
    },
    "checkout session created",
  );
  return {
    paymentId: draft.id,
    sessionId: session.id,
    url,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
    reused: false,
  };
}

/**
 * After a 5xx or a lost connection the session may exist anyway (the gateway can fail after making it, and Stripe
 * replays that 500 for the key), unseen by us and open for 31 minutes. The attempt is already closed, so the next
 * click opens a new one under a new key; this finds the unseen session by the attempt's id in its metadata and
 * expires it, so at most one session per reservation can take money. Best effort: if the gateway is still down the
 * session expires on its own, and money it still took is handled like any payment for a closed attempt (settle.ts).
 */
async function expireOrphanSessions(input: {
  paymentId: string;
  reservationId: string;
  since: Date;
  requestId?: string;
}): Promise<void> {
  const context = { reservationId: input.reservationId, paymentId: input.paymentId, requestId: input.requestId };
  try {
    // A minute of slack for clock skew between us and the gateway.
    const sessions = await findOpenCheckoutSessions(input.paymentId, new Date(input.since.getTime() - 60_000));
    for (const session of sessions) {
      await expireCheckoutSession(session.id);
      logger.warn(
        { event: "payment.orphan_session_expired", ...context, checkoutSessionId: session.id },
        "expired a checkout session whose creation answered an error",
      );
    }
  } catch (error) {
    logger.warn(
      { event: "payment.orphan_session_sweep_failed", ...context, err: error },
      "could not look for a checkout session left by a failed creation; it expires on its own",
    );
  }
}
