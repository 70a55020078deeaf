import { randomBytes } from "node:crypto";
import type Stripe from "stripe";
import { clock } from "@/lib/clock";
import { processSlot } from "@/lib/process-global";

/**
 * The emulator's objects, kept on globalThis so every route bundle of one process (the SDK client, the sandbox
 * page, /api/dev/payments/**) sees the same Stripe account. Objects are stored exactly as the API returns them.
 */

/** What a Checkout Session keeps that the API object shows only when expanded; the sandbox page reads it. */
export type SessionExtras = {
  lineItems: { name: string; quantity: number; unitAmount: number; currency: string }[];
  paymentIntentData: { metadata: Stripe.Metadata; description: string | null };
};

/** One stored event plus its webhook body, serialised once so every delivery of it sends the same bytes. */
export type StoredEvent = { event: Stripe.Event; body: string };

export type StoredReply = { status: number; body: unknown; paramsHash: string; requestId: string };

export type ObjectState = {
  sessions: Map<string, Stripe.Checkout.Session>;
  sessionExtras: Map<string, SessionExtras>;
  paymentIntents: Map<string, Stripe.PaymentIntent>;
  charges: Map<string, Stripe.Charge>;
  refunds: Map<string, Stripe.Refund>;
  /** Oldest first; the events list reverses it. */
  events: StoredEvent[];
  eventsById: Map<string, StoredEvent>;
  idempotency: Map<string, StoredReply>;
};

const store = processSlot<ObjectState>("stripeEmulator");

export function objects(): ObjectState {
  return store.ensure(() => ({
    sessions: new Map(),
    sessionExtras: new Map(),
    paymentIntents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    events: [],
    eventsById: new Map(),
    idempotency: new Map(),
  }));
}

export function resetObjects(): void {
  store.set(undefined);
}

/** Stripe-style ids: a prefix and random base62-ish characters (`pi_3Q…`, `cs_test_…`). */
export function newId(prefix: string, bytes = 18): string {
  return `${prefix}_${randomBytes(bytes).toString("base64url").replace(/[-_]/g, "")}`;
}

/** Stripe timestamps are unix seconds; read from the app clock so the test clock moves them too. */
export function nowSeconds(): number {
  return Math.floor(clock.now().getTime() / 1000);
}

/** Events and list views must not change when the stored object changes later. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
