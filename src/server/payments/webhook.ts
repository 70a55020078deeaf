import "server-only";
import { and, eq, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { payments, refunds, webhookEvents } from "@/server/db/schema";
import { WEBHOOK_TOLERANCE_SECONDS, stripeWebhookSecret } from "./config";
import { describeGatewayError, retrieveCheckoutSession, retrievePaymentIntent } from "./gateway";
import { lockPayment, mapRefundStatus, settleRefund, submitRefund, type PaymentRow } from "./refunds";
import { recordFailure, recordSessionExpired, settlePaid, type Settlement } from "./settle";
import { getStripe } from "./stripe";

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
  try {
    return getStripe().webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS, undefined, clock.now().getTime());
  } catch (error) {
    throw new AppError("signature_invalid", "The webhook signature does not match, or its timestamp is too old.", {
      internalDetail: error instanceof Error ? error.message : String(error),
    });
  }
}

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
    if (existing && (existing.status === "processed" || existing.status === "ignored")) return duplicate(event, requestId);
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
  logger.info({ event: "payment.webhook", stripeEvent: event.id, type: event.type, outcome: "duplicate", requestId }, "webhook duplicate");
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
            values ('stripe', ${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, ${requestId ?? null}, ${now}::timestamptz)
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
        if (locked.status === "processed" || locked.status === "ignored") return { outcome: "duplicate", refundIds: [], duplicate: true };
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
    throw error;
  }
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
  logger.warn({ event: "payment.webhook_failed", stripeEvent: event.id, type: event.type, error: detail, requestId }, "webhook processing failed; the sender retries");
  try {
    await asService((tx) =>
      tx.execute(sql`
        insert into webhook_events (provider, event_id, type, payload, status, attempts, last_error, request_id, received_at)
        values ('stripe', ${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, 'failed', 1, ${detail}, ${requestId ?? null}, ${clock.now().toISOString()}::timestamptz)
        on conflict (provider, event_id) do update
          set status = 'failed', attempts = webhook_events.attempts + 1, last_error = excluded.last_error
          where webhook_events.status in ('received', 'failed')`),
    );
  } catch (storeError) {
    // The database itself is down: the sender's retry (we answer 5xx) is what keeps the event.
    logger.error({ event: "payment.webhook_store_failed", stripeEvent: event.id, error: describeGatewayError(storeError) }, "could not record the failed webhook");
  }
}

/** What the gateway says now about the event's object: events can be stale or arrive out of order. */
type Fresh =
  | { kind: "session"; session: Stripe.Checkout.Session }
  | { kind: "intent"; intent: Stripe.PaymentIntent }
  | { kind: "refund"; refund: Stripe.Refund }
  | { kind: "none" };

async function authoritativeState(event: Stripe.Event): Promise<Fresh> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
      return { kind: "session", session: await retrieveCheckoutSession(event.data.object.id) };
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
      return { kind: "intent", intent: await retrievePaymentIntent(event.data.object.id) };
    case "charge.refunded": {
      const pi = event.data.object.payment_intent;
      return pi ? { kind: "intent", intent: await retrievePaymentIntent(typeof pi === "string" ? pi : pi.id) } : { kind: "none" };
    }
    case "refund.updated":
      return { kind: "refund", refund: event.data.object };
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
      if (!payment) return none("payment_unknown");
      if (fresh.session.payment_status !== "paid") return none("awaiting_payment");
      const pi = fresh.session.payment_intent;
      const intentId = typeof pi === "string" ? pi : (pi?.id ?? "");
      const received = typeof pi === "object" && pi ? pi.amount_received : (fresh.session.amount_total ?? payment.amount);
      return settlePaid(tx, payment, { paymentIntentId: intentId, amountReceived: received }, requestId);
    }
    case "payment_intent.succeeded": {
      if (fresh.kind !== "intent") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.intent.metadata, intentId: fresh.intent.id });
      if (!payment) return none("payment_unknown");
      if (fresh.intent.status !== "succeeded") return none("stale_event");
      return settlePaid(tx, payment, { paymentIntentId: fresh.intent.id, amountReceived: fresh.intent.amount_received }, requestId);
    }
    case "payment_intent.payment_failed": {
      if (fresh.kind !== "intent") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.intent.metadata, intentId: fresh.intent.id });
      if (!payment) return none("payment_unknown");
      if (fresh.intent.status === "succeeded") return none("stale_failure_ignored");
      const error = fresh.intent.last_payment_error ?? event.data.object.last_payment_error;
      return recordFailure(tx, payment, { code: error?.decline_code ?? error?.code ?? null, message: error?.message ?? null, paymentIntentId: fresh.intent.id }, requestId);
    }
    case "checkout.session.expired": {
      if (fresh.kind !== "session") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.session.metadata, sessionId: fresh.session.id });
      if (!payment) return none("payment_unknown");
      if (fresh.session.status !== "expired") return none("stale_event");
      return recordSessionExpired(tx, payment, requestId);
    }
    case "charge.refunded": {
      if (fresh.kind !== "intent") return none("ignored");
      const payment = await findPayment(tx, { metadata: fresh.intent.metadata, intentId: fresh.intent.id });
      if (!payment) return none("payment_unknown");
      const charge = fresh.intent.latest_charge;
      const refundedAtGateway = typeof charge === "object" && charge ? charge.amount_refunded : event.data.object.amount_refunded;
      return reconcileRefundTotal(tx, payment, refundedAtGateway, requestId);
    }
    case "refund.updated": {
      if (fresh.kind !== "refund") return none("ignored");
      const refundId = fresh.refund.metadata?.refund_id;
      const [ledger] = await tx
        .select({ id: refunds.id })
        .from(refunds)
        .where(or(eq(refunds.providerRefundId, fresh.refund.id), refundId ? eq(refunds.id, refundId) : undefined));
      if (!ledger) return none("refund_unknown");
      const updated = await settleRefund(tx, ledger.id, mapRefundStatus(fresh.refund.status), fresh.refund.id, requestId, fresh.refund.failure_reason ?? undefined);
      return none(`refund_${updated?.status ?? "unknown"}`);
    }
    default:
      return none("ignored");
  }
}

/** The payment an event is about: our payment id in the metadata, else the session or intent id. Locked. */
async function findPayment(
  tx: Tx,
  ref: { metadata: Stripe.Metadata | null; sessionId?: string; intentId?: string },
): Promise<PaymentRow | undefined> {
  const byMetadata = ref.metadata?.payment_id;
  if (byMetadata && /^[0-9a-f-]{36}$/i.test(byMetadata)) {
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

/**
 * `charge.refunded` carries the gateway's refunded total. Pending ledger rows it covers become succeeded; a total
 * beyond the ledger (a refund made in the Stripe dashboard) is recorded as an external refund, so the ledger always
 * ends equal to the gateway.
 */
async function reconcileRefundTotal(tx: Tx, payment: PaymentRow, refundedAtGateway: number, requestId?: string): Promise<Settlement> {
  const rows = await tx.select().from(refunds).where(eq(refunds.paymentId, payment.id)).orderBy(refunds.createdAt);
  let succeeded = rows.filter((r) => r.status === "succeeded").reduce((sum, r) => sum + r.amount, 0);
  let changed = 0;
  for (const r of rows.filter((row) => row.status === "pending")) {
    if (succeeded + r.amount > refundedAtGateway) break;
    await settleRefund(tx, r.id, "succeeded", null, requestId);
    succeeded += r.amount;
    changed++;
  }
  const pending = rows.filter((r) => r.status === "pending").reduce((sum, r) => sum + r.amount, 0);
  const ledgerTotal = payment.amountRefunded;
  if (refundedAtGateway > ledgerTotal) {
    const extra = refundedAtGateway - ledgerTotal;
    const now = clock.now();
    const externalKey = `external:${payment.id}:${refundedAtGateway}`;
    await tx.insert(refunds).values({
      paymentId: payment.id,
      reservationId: payment.reservationId,
      amount: extra,
      currency: payment.currency,
      status: "succeeded",
      reason: "refunded_at_gateway",
      idempotencyKey: externalKey,
      createdAt: now,
      updatedAt: now,
    }).onConflictDoNothing();
    const total = ledgerTotal + extra;
    await tx
      .update(payments)
      .set({ amountRefunded: total, status: total >= payment.amount ? "refunded" : "partially_refunded", updatedAt: now })
      .where(eq(payments.id, payment.id));
    return { outcome: "ledger_external_refund_recorded", refundIds: [] };
  }
  if (changed > 0) return { outcome: "ledger_refunds_succeeded", refundIds: [] };
  return { outcome: pending > 0 ? "ledger_pending" : "ledger_in_sync", refundIds: [] };
}
