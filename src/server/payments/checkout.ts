import "server-only";
import { createHash } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { appBaseUrl } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { payments, reservations, services, slots } from "@/server/db/schema";
import { createCheckoutSession, expireCheckoutSession } from "./gateway";

/**
 * Starts (or resumes) paying for a held reservation.
 *
 * Holds and sessions: a hold lasts HOLD_MINUTES (default 15) but Stripe Checkout sessions live at least 30 minutes,
 * so a session cannot end with its hold. The hold stays the authority: the session is created with
 * `expires_at = now + 31 min` (the minute absorbs clock skew), and when the hold ends the expire-holds job releases
 * the seats and then expires the session at Stripe. Money that still arrives after the hold ended (a customer who
 * was on the payment page at that moment) follows LATE_PAYMENT_POLICY (settle.ts). docs/payments.md, decision 0013.
 *
 * Order of effects, so a gateway failure leaves nothing behind: the session is created first (idempotency key per
 * reservation and attempt, so retries and double clicks get the same session), and only then is the payment row
 * written. If Stripe is down the customer gets a 503 and the hold is untouched, with no payment row; if the row
 * write fails after Stripe answered, the webhook handler recognises the session by its metadata.
 */
export type CheckoutStart = { paymentId: string; sessionId: string; url: string; expiresAt: string; reused: boolean };

const SESSION_MINUTES = 31;

export async function startCheckout(input: { reservationId: string; actor: Actor; requestId?: string }): Promise<CheckoutStart> {
  const now = clock.now();
  const context = await asService(async (tx) => {
    const [row] = await tx
      .select({ r: reservations, service: services })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(eq(reservations.id, input.reservationId));
    if (!row) throw new AppError("reservation_not_found", "No reservation matches this link.");
    const attempts = await tx.select().from(payments).where(eq(payments.reservationId, input.reservationId)).orderBy(desc(payments.attempt));
    return { ...row, attempts };
  });
  const { r, service, attempts } = context;
  if (r.amount === 0) throw new AppError("payment_not_required", "This reservation is free; there is nothing to pay.");
  if (attempts.some((p) => p.status === "succeeded" || p.status === "partially_refunded" || p.status === "refunded")) {
    throw new AppError("already_paid", "This reservation is already paid.");
  }
  if (r.status === "confirmed") throw new AppError("already_paid", "This reservation is already confirmed.");
  if (r.status !== "held" || !r.holdExpiresAt || r.holdExpiresAt <= now) {
    throw new AppError("hold_expired", "The hold on these seats has expired and they were released. Please book again.");
  }

  // A double click or a page reload resumes the open attempt rather than starting a second one.
  const latest = attempts[0];
  if (latest && latest.status === "pending" && latest.checkoutUrl && latest.checkoutSessionId && latest.sessionExpiresAt && latest.sessionExpiresAt > now) {
    return { paymentId: latest.id, sessionId: latest.checkoutSessionId, url: latest.checkoutUrl, expiresAt: latest.sessionExpiresAt.toISOString(), reused: true };
  }

  // Earlier attempts' sessions are closed first, so at most one session per reservation can take money.
  for (const previous of attempts.filter((p) => (p.status === "pending" || p.status === "failed") && p.checkoutSessionId)) {
    const result = await expireCheckoutSession(previous.checkoutSessionId as string);
    if (!result.expired && result.status === "complete") {
      throw new AppError("already_paid", "A payment for this reservation was just received and is being processed.");
    }
    await asService((tx) =>
      tx.update(payments).set({ status: "expired", updatedAt: clock.now() }).where(and(eq(payments.id, previous.id), eq(payments.status, previous.status))),
    );
  }

  const attempt = (latest?.attempt ?? 0) + 1;
  const paymentId = deterministicUuid(`payment:${r.id}:${attempt}`);
  const base = appBaseUrl();
  const expiresAt = new Date(now.getTime() + SESSION_MINUTES * 60_000);
  const returnPath = `${base}/reservations/${r.code}/pay`;
  const session = await createCheckoutSession({
    reservationId: r.id,
    paymentId,
    attempt,
    productName: r.locale === "en" ? service.nameEn : service.nameJa,
    unitAmount: r.amount / r.quantity,
    quantity: r.quantity,
    currency: r.currency,
    customerEmail: r.customerEmail,
    locale: r.locale === "en" ? "en" : "ja",
    successUrl: `${returnPath}?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${returnPath}?cancelled=1`,
    expiresAt,
  });
  if (!session.url) throw new AppError("internal", "The payment provider returned no checkout page.");

  const stored = await asService(async (tx) => {
    const [current] = await tx.select({ status: reservations.status }).from(reservations).where(eq(reservations.id, r.id));
    if (current?.status !== "held") return "hold_ended" as const;
    const [inserted] = await tx
      .insert(payments)
      .values({
        id: paymentId,
        reservationId: r.id,
        checkoutSessionId: session.id,
        amount: session.amount_total ?? r.amount,
        currency: r.currency,
        attempt,
        checkoutUrl: session.url,
        sessionExpiresAt: new Date(session.expires_at * 1000),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await writeAudit(tx, {
        actor: input.actor,
        action: "payment.checkout_started",
        entityType: "payment",
        entityId: paymentId,
        after: { reservationId: r.id, attempt, sessionId: session.id, amount: inserted.amount },
        requestId: input.requestId,
      });
    }
    return inserted;
  });
  if (stored === "hold_ended") {
    // The hold ended while Stripe was answering: close the session so it cannot take money for released seats.
    await expireCheckoutSession(session.id).catch(() => undefined);
    throw new AppError("hold_expired", "The hold on these seats has expired and they were released. Please book again.");
  }
  logger.info({ event: "payment.checkout_started", reservationId: r.id, paymentId, attempt, reused: !stored, requestId: input.requestId }, "checkout session created");
  return { paymentId, sessionId: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000).toISOString(), reused: !stored };
}

/** Same input, same id: concurrent starts of one attempt agree on the payment id they put in Stripe's metadata. */
function deterministicUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
