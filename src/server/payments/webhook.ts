// Long on purpose: the Stripe webhook's verification, inbox (store once, claim, retry) and dispatch by
// event type; the effects of each event live in settle.ts and refunds.ts.
import "server-only";
import { and, eq, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { AppError } from "@/lib/errors";
import { rejectControlCharacters, validationError } from "@/server/http/route";
import { logger } from "@/lib/logger";
import { reportError } from "@/server/observability/errors";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { payments, webhookEvents } from "@/server/db/schema";
import { WEBHOOK_TOLERANCE_SECONDS, stripeWebhookSecret } from "./config";
import {
  describeGatewayError,
  isResourceMissing,
  listRefunds,
  retrieveCheckoutSession,
  retrievePaymentIntent,
  retrieveRefund,
} from "./gateway";
import { lockPayment, reconcileGatewayRefunds, submitRefund, type PaymentRow } from "./refunds";
import { recordFailure, recordSessionExpired, settlePaid, type Settlement } from "./settle";
import { alertStaff } from "./alerts";
import { getStripe } from "./stripe";
import { isUuid } from "@/lib/uuid";
import { count, observeWebhookLag } from "@/server/observability/metrics";

/**
 * Stripe webhooks as an inbox (invariant 4):
 *   verify the signature on the raw body (300 s tolerance) → store the event under the unique (provider, event_id)
 *   → re-read the authoritative object from the gateway → process under a lock on the inbox row and the payment row,
 *   in one transaction with every state change it causes → submit any refund it decided on after commit.
 * Duplicates and out-of-order deliveries change nothing twice: the inbox row lock lets one delivery process an event,
 * and each handler checks the payment's state rather than trusting the event's order.
 */

export type WebhookResult = { eventId: string; type: string; outcome: string; duplicate: boolean };

export const handledEventTypes = [
  "checkout.session.completed",
  "checkout.session.expired",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "charge.refunded",
  "refund.updated",
] as const;

export function verifyStripeEvent(rawBody: string, signature: string | null): Stripe.Event {
  if (!signature) throw new AppError("signature_invalid", "The Stripe-Signature header is missing.");
  const secret = stripeWebhookSecret();
  let event: unknown;
  try {
    event = getStripe().webhooks.constructEvent(
      rawBody,
      signature,
      secret,
      WEBHOOK_TOLERANCE_SECONDS,
      undefined,
      clock.now().getTime(),
    );
  } catch (error) {
    throw new AppError("signature_invalid", "The webhook signature does not match, or its timestamp is too old.", {
      internalDetail: error instanceof Error ? error.message : String(error),
    });
  }
  // Signed, but it must still be an event this code can store (jsonb refuses \u0000) and read: 422, never a 500.
  rejectControlCharacters(event, "body");
  const shaped = eventShape.safeParse(event);
  if (!shaped.success) throw validationError(shaped.error, "body");
  return event as Stripe.Event;
}

/** The fields every event has and the inbox relies on; the rest is the handlers' business. */
const eventShape = z.looseObject({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.looseObject({ object: z.looseObject({}) }),
});

/** Event types whose handler re-reads the gateway first; other types are stored and marked ignored. */
const AUTHORITATIVE = new Set<string>(handledEventTypes);

/**
 * Stores an event once (unique on provider + event id) and processes it unless it was already processed. A
 * delivery of an event already processed costs one read. Otherwise the gateway's current state is read first (no
 * transaction is open during the network call), then ONE transaction inserts the inbox row (or locks the existing
 * one), runs the handler and marks the row: a concurrent duplicate waits on the row and then reports `duplicate`.
 */
export async function ingestStripeEvent(event: Stripe.Event, requestId?: string): Promise<WebhookResult> {
  if (AUTHORITATIVE.has(event.type)) {
    const [existing] = await asService((tx) =>
      tx
        .select({ status: webhookEvents.status })
        .from(webhookEvents)
        .where(and(eq(webhookEvents.provider, "stripe"), eq(webhookEvents.eventId, event.id))),
    );
    if (existing && (existing.status === "processed" || existing.status === "ignored"))
      return duplicate(event, requestId);
  }
  return processEvent(event, requestId);
}

/** Processes one stored event (reconcile picking up a row left received or failed). */
export async function processInboxEvent(inboxId: string, requestId?: string): Promise<WebhookResult> {
  const [row] = await asService((tx) => tx.select().from(webhookEvents).where(eq(webhookEvents.id, inboxId)));
  if (!row) throw new AppError("not_found", "No such inbox row.");
  if (row.status === "processed" || row.status === "ignored") return duplicate(row.payload as Stripe.Event, requestId);
  return processEvent(row.payload as Stripe.Event, requestId);
}

function duplicate(event: Stripe.Event, requestId?: string): WebhookResult {
  logger.info(
    { event: "payment.webhook", stripeEvent: event.id, type: event.type, outcome: "duplicate", requestId },
    "webhook duplicate",
  );
  return { eventId: event.id, type: event.type, outcome: "duplicate", duplicate: true };
}

async function processEvent(event: Stripe.Event, requestId?: string): Promise<WebhookResult> {
  let settlement: Settlement & { duplicate: boolean };
  try {
    const fresh = await authoritativeState(event);
    settlement = await asService(async (tx) => {
      const now = clock.now().toISOString();
      const inserted = await queryRows<{ id: string; attempts: number }>(
        tx,
        sql`insert into webhook_events (provider, event_id, type, payload, request_id, received_at)
            values ('stripe', ${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, ${requestId ?? currentRequestId() ?? null}, ${now}::timestamptz)
            on conflict (provider, event_id) do nothing
            returning id, attempts`,
      );
      let row = inserted[0];
      if (!row) {
        const [locked] = await tx
          .select({ id: webhookEvents.id, status: webhookEvents.status, attempts: webhookEvents.attempts })
          .from(webhookEvents)
          .where(and(eq(webhookEvents.provider, "stripe"), eq(webhookEvents.eventId, event.id)))
          .for("update");
        if (!locked) throw new Error("webhook inbox row vanished");
        if (locked.status === "processed" || locked.status === "ignored")
          return { outcome: "duplicate", refundIds: [], duplicate: true };
        row = locked;
      }
      const result = await handle(tx, event, fresh, requestId);
      await tx
        .update(webhookEvents)
        .set({
          status: result.outcome === "ignored" ? "ignored" : "processed",
          outcome: result.outcome,
          attempts: row.attempts + 1,
          lastError: null,
          processedAt: clock.now(),
        })
        .where(eq(webhookEvents.id, row.id));
      return { ...result, duplicate: false };
    });
  } catch (error) {
    await markFailed(event, error, requestId);
    // Reported here, where the event type is known, also when reconcile replays the row (it does not rethrow).
    reportError(error, { requestId, webhook: event.type });
    // A handler's domain error is still a failure to process: 5xx, so the sender retries (400 is for signatures).
    if (error instanceof AppError && error.status < 500) {
      throw new AppError("internal", "The event could not be processed.", {
        internalDetail: `${error.code}: ${error.message}`,
        cause: error,
      });
    }
    throw error;
  }
  if (!settlement.duplicate) observeWebhookLag("stripe", clock.now().getTime() / 1000 - event.created);
  for (const refundId of settlement.refundIds) await submitRefund(refundId, requestId);
  logger.info(
    { event: "payment.webhook", stripeEvent: event.id, type: event.type, outcome: settlement.outcome, requestId },
    `webhook ${event.type}: ${settlement.outcome}`,
  );
  return { eventId: event.id, type: event.type, outcome: settlement.outcome, duplicate: settlement.duplicate };
}

/**
 * The transaction rolled back, so the event is stored here on its own (or its row updated): the inbox keeps every
 * verified event, and reconcile retries rows left failed.
 */
async function markFailed(event: Stripe.Event, error: unknown, requestId?: string): Promise<void> {
  const detail = describeGatewayError(error).slice(0, 500);
  count("webhook_failures", { provider: "stripe" });
  logger.warn(
    { event: "payment.webhook_failed", stripeEvent: event.id, type: event.type, err: error, requestId },
    "webhook processing failed; the sender retries",
  );
  try {
    await asService((tx) =>
      tx.execute(sql`
        insert into webhook_events (provider, event_id, type, payload, status, attempts, last_error, request_id, received_at)
        values ('stripe', ${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, 'failed', 1, ${detail}, ${requestId ?? currentRequestId() ?? null}, ${clock.now().toISOString()}::timestamptz)
        on conflict (provider, event_id) do update
          set status = 'failed', attempts = webhook_events.attempts + 1, last_error = excluded.last_error
          where webhook_events.status in ('received', 'failed')`),
    );
  } catch (storeError) {
    // The database itself is down: the sender's retry (we answer 5xx) is what keeps the event.
    logger.error(
      { event: "payment.webhook_store_failed", stripeEvent: event.id, err: storeError },
      "could not record the failed webhook",
    );
  }
}

/** What the gateway says now about the event's object: events can be stale or arrive out of order. */
type Fresh =
  | { kind: "session"; session: Stripe.Checkout.Session }
  | { kind: "intent"; intent: Stripe.PaymentIntent }
  | { kind: "refunds"; paymentIntentId: string; refunds: Stripe.Refund[] }
  | { kind: "none" };

/**
 * An event about an object the gateway does not know (a signed event from another account or mode, or a forged one
 * by a holder of the secret) is stored and ignored: asking again will not make the object exist, so a 5xx would only
 * make the sender retry for days.
 */
async function authoritativeState(event: Stripe.Event): Promise<Fresh> {
  try {
    return await readAuthoritativeState(event);
  } catch (error) {
    if (!isResourceMissing(error)) throw error;
    logger.warn(
      { event: "payment.webhook_unknown_object", stripeEvent: event.id, type: event.type },
      "webhook names an object the gateway does not know",
    );
    return { kind: "none" };
  }
}

async function readAuthoritativeState(event: Stripe.Event): Promise<Fresh> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
      return { kind: "session", session: await retrieveCheckoutSession(event.data.object.id) };
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
      return { kind: "intent", intent: await retrievePaymentIntent(event.data.object.id) };
    case "charge.refunded":
    case "refund.updated": {
      // Both are answered the same way: every refund of the PaymentIntent, each with its own status.
      const object = event.type === "refund.updated" ? await retrieveRefund(event.data.object.id) : event.data.object;
      const pi = object.payment_intent;
      const id = typeof pi === "string" ? pi : pi?.id;
      return id ? { kind: "refunds", paymentIntentId: id, refunds: await listRefunds(id) } : { kind: "none" };
    }
    default:
      return { kind: "none" };
  }
}

async function handle(tx: Tx, event: Stripe.Event, fresh: Fresh, requestId?: string): Promise<Settlement> {
  const none = (outcome: string): Settlement => ({ outcome, refundIds: [] });
  switch (event.type) {
    case "checkout.session.completed": {
      if (fresh.kind !== "session") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.session.metadata, sessionId: fresh.session.id });
      if (!payment)
        return unknownMoney(
          tx,
          fresh.session.payment_status === "paid",
          fresh.session.metadata,
          fresh.session.id,
          requestId,
        );
      if (fresh.session.payment_status !== "paid") return none("awaiting_payment");
      const pi = fresh.session.payment_intent;
      const intentId = typeof pi === "string" ? pi : (pi?.id ?? "");
      const received =
        typeof pi === "object" && pi ? pi.amount_received : (fresh.session.amount_total ?? payment.amount);
      return settlePaid(tx, payment, { paymentIntentId: intentId, amountReceived: received }, requestId);
    }
    case "payment_intent.succeeded": {
      if (fresh.kind !== "intent") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.intent.metadata, intentId: fresh.intent.id });
      if (!payment)
        return unknownMoney(tx, fresh.intent.status === "succeeded", fresh.intent.metadata, fresh.intent.id, requestId);
      if (fresh.intent.status !== "succeeded") return none("stale_event");
      return settlePaid(
        tx,
        payment,
        { paymentIntentId: fresh.intent.id, amountReceived: fresh.intent.amount_received },
        requestId,
      );
    }
    case "payment_intent.payment_failed": {
      if (fresh.kind !== "intent") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.intent.metadata, intentId: fresh.intent.id });
      if (!payment) return none("payment_unknown");
      if (fresh.intent.status === "succeeded") return none("stale_failure_ignored");
      const error = fresh.intent.last_payment_error ?? event.data.object.last_payment_error;
      return recordFailure(
        tx,
        payment,
        {
          code: error?.decline_code ?? error?.code ?? null,
          message: error?.message ?? null,
          paymentIntentId: fresh.intent.id,
        },
        requestId,
      );
    }
    case "checkout.session.expired": {
      if (fresh.kind !== "session") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.session.metadata, sessionId: fresh.session.id });
      if (!payment) return none("payment_unknown");
      if (fresh.session.status !== "expired") return none("stale_event");
      return recordSessionExpired(tx, payment, requestId);
    }
    case "charge.refunded":
    case "refund.updated": {
      if (fresh.kind !== "refunds") return none("ignored");
      const [match] = await tx
        .select({ id: payments.id })
        .from(payments)
        .where(eq(payments.paymentIntentId, fresh.paymentIntentId));
      const payment = match ? await lockPayment(tx, match.id) : undefined;
      if (!payment) return none("payment_unknown");
      return none(await reconcileGatewayRefunds(tx, payment, fresh.refunds, requestId));
    }
    default:
      return none("ignored");
  }
}

/**
 * Money arrived for a payment this app has no row for. With our metadata (a reservation id) it is ours and a person
 * must look (alert); without, it belongs to another integration on the same Stripe account and is left alone.
 */
async function unknownMoney(
  tx: Tx,
  paid: boolean,
  metadata: Stripe.Metadata | null,
  objectId: string,
  requestId?: string,
): Promise<Settlement> {
  const reservationId = metadata?.reservation_id;
  if (!paid || !isUuid(reservationId)) return { outcome: "payment_unknown", refundIds: [] };
  await alertStaff(tx, {
    kind: "payment_unknown",
    reservationId,
    message: `Stripe reports money received (${objectId}) for reservation ${reservationId}, but no payment attempt of it is on record.`,
    dedupeKey: `payment-unknown:${objectId}`,
    requestId,
  });
  return { outcome: "payment_unknown_alerted", refundIds: [] };
}

/** The payment an event is about: our payment id in the metadata, else the session or intent id. Locked. */
async function findPayment(
  tx: Tx,
  ref: { metadata: Stripe.Metadata | null; sessionId?: string; intentId?: string },
): Promise<PaymentRow | undefined> {
  const byMetadata = ref.metadata?.payment_id;
  if (isUuid(byMetadata)) {
    const payment = await lockPayment(tx, byMetadata);
    if (payment) return payment;
  }
  const [match] = await tx
    .select({ id: payments.id })
    .from(payments)
    .where(
      or(
        ref.sessionId ? eq(payments.checkoutSessionId, ref.sessionId) : undefined,
        ref.intentId ? eq(payments.paymentIntentId, ref.intentId) : undefined,
      ),
    );
  return match ? lockPayment(tx, match.id) : undefined;
}
