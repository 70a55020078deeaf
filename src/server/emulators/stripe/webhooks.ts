import Stripe from "stripe";
import { clock } from "@/lib/clock";
import { appBaseUrl } from "@/lib/env";
import { logger } from "@/lib/logger";
import { stripeWebhookSecret } from "@/server/payments/config";
import { EmulatorError } from "./errors";
import { newId, objects, type StoredEvent } from "./state";
import { processSlot } from "@/lib/process-global";

/**
 * Signed webhook delivery, the way Stripe does it: each event is POSTed to the app's real webhook route over HTTP
 * with a `Stripe-Signature` header made by the SDK's own helper, never inside the request that caused it, and
 * retried with exponential backoff while the endpoint answers non-2xx or cannot be reached. The controls below
 * (pause, flush in reverse, redeliver duplicates, settle) let tests produce the late, out-of-order and duplicate
 * deliveries the webhook inbox must survive.
 */

export type WebhookDeliver = (body: string, headers: Record<string, string>) => Promise<{ status: number }>;
export type WebhookMode = "auto" | "paused";

export type WebhookOptions = {
  /** The transport; default: HTTP POST to `${appBaseUrl()}/api/webhooks/stripe`. */
  deliver?: WebhookDeliver;
  /** First retry delay; each later one doubles (±20% jitter). Default 1000 ms. */
  baseDelayMs?: number;
  /** Attempts per delivery before it is marked failed. Default 6. */
  maxAttempts?: number;
  /** `paused` holds new deliveries until resumeWebhooks() or flushWebhooks(). Default `auto`. */
  mode?: WebhookMode;
};

/**
 * pending: about to be sent (queued for now) · held: waiting while paused · in_flight · retry_scheduled ·
 * succeeded (2xx) · failed (attempts exhausted).
 */
export type DeliveryStatus = "pending" | "held" | "in_flight" | "retry_scheduled" | "succeeded" | "failed";

export type DeliveryAttempt = { at: string; status: number | null; error: string | null };

export type WebhookDelivery = {
  id: string;
  eventId: string;
  eventType: string;
  /** True for copies made by redeliverEvent(). */
  redelivery: boolean;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
};

type Delivery = WebhookDelivery & { body: string; timer: ReturnType<typeof setTimeout> | null };

type WebhookState = {
  config: Required<WebhookOptions>;
  deliveries: Delivery[];
};

const DEFAULTS = { baseDelayMs: 1000, maxAttempts: 6, mode: "auto" } as const;
const BACKOFF_FACTOR = 2;
const JITTER = 0.2;
const HTTP_TIMEOUT_MS = 10_000;

/** settle() waiters live outside the resettable state, so a reset releases them instead of stranding them. */
const store = processSlot<{ state: WebhookState; waiters: Set<() => boolean> }>("stripeEmulator.webhooks");
const log = logger.child({ component: "stripe-emulator" });

function slot(): { state: WebhookState; waiters: Set<() => boolean> } {
  return store.ensure(() => ({ state: freshState(), waiters: new Set() }));
}

function freshState(): WebhookState {
  return { config: { deliver: httpDeliver, ...DEFAULTS }, deliveries: [] };
}

function webhookState(): WebhookState {
  return slot().state;
}

export function configureStripeWebhooks(options: WebhookOptions): void {
  const { config } = webhookState();
  const wasPaused = config.mode === "paused";
  if (options.deliver) config.deliver = options.deliver;
  if (options.baseDelayMs !== undefined) config.baseDelayMs = Math.max(0, options.baseDelayMs);
  if (options.maxAttempts !== undefined) config.maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  if (options.mode) config.mode = options.mode;
  // Switching a paused emulator to auto sends what it held, as resumeWebhooks() does.
  if (wasPaused && config.mode === "auto") void sendInOrder(held(), "fifo");
}

/** Forgets every delivery, cancels every retry timer and restores the default configuration. */
export function resetStripeWebhooks(): void {
  for (const d of webhookState().deliveries) if (d.timer) clearTimeout(d.timer);
  slot().state = freshState();
  notify();
}

export function webhookMode(): WebhookMode {
  return webhookState().config.mode;
}

export function listWebhookDeliveries(): WebhookDelivery[] {
  return webhookState().deliveries.map(view);
}

export function pauseWebhooks(): void {
  webhookState().config.mode = "paused";
}

/** Back to automatic delivery; everything held is sent now, oldest first. Resolves when each has been tried once. */
export async function resumeWebhooks(): Promise<void> {
  webhookState().config.mode = "auto";
  await sendInOrder(held(), "fifo");
}

/**
 * Sends what is held (and retries not yet due) now, one after another in the given order, without changing the
 * mode: pause, cause events, flush in reverse, and the endpoint sees them out of order.
 */
export async function flushWebhooks(options: { order: "fifo" | "reverse" }): Promise<void> {
  await sendInOrder(held({ includeRetries: true }), options.order);
}

/**
 * Sends an event again as `copies` extra deliveries (same body, fresh signature), all at once when `concurrent`,
 * the way Stripe occasionally delivers one event twice. Sent even while paused: it is an explicit action.
 */
export async function redeliverEvent(
  eventId: string,
  options: { copies?: number; concurrent?: boolean } = {},
): Promise<WebhookDelivery[]> {
  const stored = objects().eventsById.get(eventId);
  if (!stored) throw new EmulatorError("not_found", `No such event: '${eventId}'`);
  const { copies = 1, concurrent = true } = options;
  const created = Array.from({ length: copies }, () => addDelivery(stored, { redelivery: true, status: "pending" }));
  if (concurrent) await Promise.all(created.map((d) => attempt(d)));
  else for (const d of created) await attempt(d);
  return created.map(view);
}

/**
 * Resolves once nothing is pending or in flight. Retries scheduled for later count only with `includeRetries`
 * (then it waits for every delivery to succeed or give up); held deliveries never count, since only a resume or
 * flush would send them.
 */
export function settleWebhooks(options: { includeRetries?: boolean } = {}): Promise<void> {
  const busy: DeliveryStatus[] = options.includeRetries
    ? ["pending", "in_flight", "retry_scheduled"]
    : ["pending", "in_flight"];
  return new Promise((resolve) => {
    const check = () => {
      if (webhookState().deliveries.some((d) => busy.includes(d.status))) return false;
      resolve();
      return true;
    };
    if (!check()) slot().waiters.add(check);
  });
}

/** Called for every new event. */
export function enqueueWebhook(stored: StoredEvent): void {
  const paused = webhookState().config.mode === "paused";
  const delivery = addDelivery(stored, { redelivery: false, status: paused ? "held" : "pending" });
  // Never inside the request that caused the event: the caller's response goes out first.
  if (!paused) schedule(delivery, 0);
}

function addDelivery(stored: StoredEvent, init: { redelivery: boolean; status: DeliveryStatus }): Delivery {
  const delivery: Delivery = {
    id: newId("whd", 9),
    eventId: stored.event.id,
    eventType: stored.event.type,
    redelivery: init.redelivery,
    status: init.status,
    attempts: [],
    nextAttemptAt: null,
    body: stored.body,
    timer: null,
  };
  webhookState().deliveries.push(delivery);
  return delivery;
}

function schedule(delivery: Delivery, delayMs: number): void {
  const owner = webhookState();
  delivery.timer = setTimeout(() => {
    delivery.timer = null;
    if (webhookState() !== owner) return;
    if (owner.config.mode === "paused") {
      delivery.status = "held";
      delivery.nextAttemptAt = null;
      notify();
      return;
    }
    void attempt(delivery);
  }, delayMs);
  // A pending retry must not keep a CLI process (seed, smoke script) alive.
  delivery.timer.unref?.();
}

async function attempt(delivery: Delivery): Promise<void> {
  const owner = webhookState();
  delivery.status = "in_flight";
  delivery.nextAttemptAt = null;
  const at = clock.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const result = await owner.config.deliver(delivery.body, signedHeaders(delivery.body, at));
    status = result.status;
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  if (webhookState() !== owner) return;
  delivery.attempts.push({ at: at.toISOString(), status, error });
  const context = {
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt: delivery.attempts.length,
    status,
    error,
  };
  if (status !== null && status >= 200 && status < 300) {
    delivery.status = "succeeded";
    const event = objects().eventsById.get(delivery.eventId)?.event;
    if (event && !delivery.redelivery) event.pending_webhooks = 0;
  } else if (delivery.attempts.length >= owner.config.maxAttempts) {
    delivery.status = "failed";
    log.error({ event: "stripe_emulator.webhook_failed", ...context }, "webhook delivery gave up");
  } else {
    const delayMs = retryDelayMs(owner.config.baseDelayMs, delivery.attempts.length);
    delivery.status = "retry_scheduled";
    delivery.nextAttemptAt = new Date(clock.now().getTime() + delayMs).toISOString();
    log.warn({ event: "stripe_emulator.webhook_retry", ...context, delayMs }, "webhook delivery failed; retrying");
    schedule(delivery, delayMs);
  }
  notify();
}

function retryDelayMs(baseDelayMs: number, attemptsSoFar: number): number {
  const delay = baseDelayMs * BACKOFF_FACTOR ** (attemptsSoFar - 1);
  return Math.round(delay * (1 + (Math.random() * 2 - 1) * JITTER));
}

function held(options: { includeRetries?: boolean } = {}): Delivery[] {
  return webhookState().deliveries.filter(
    (d) => d.status === "held" || (options.includeRetries === true && d.status === "retry_scheduled"),
  );
}

async function sendInOrder(deliveries: Delivery[], order: "fifo" | "reverse"): Promise<void> {
  const ordered = order === "reverse" ? [...deliveries].reverse() : deliveries;
  for (const d of ordered) {
    if (d.timer) clearTimeout(d.timer);
    d.timer = null;
    d.status = "pending";
  }
  for (const d of ordered) await attempt(d);
}

function signedHeaders(body: string, at: Date): Record<string, string> {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: stripeWebhookSecret(),
    timestamp: Math.floor(at.getTime() / 1000),
  });
  return {
    "Content-Type": "application/json; charset=utf-8",
    "Stripe-Signature": signature,
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
  };
}

async function httpDeliver(body: string, headers: Record<string, string>): Promise<{ status: number }> {
  const response = await fetch(`${appBaseUrl()}/api/webhooks/stripe`, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  await response.body?.cancel();
  return { status: response.status };
}

function notify(): void {
  const { waiters } = slot();
  for (const waiter of [...waiters]) if (waiter()) waiters.delete(waiter);
}

function view(d: Delivery): WebhookDelivery {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    redelivery: d.redelivery,
    status: d.status,
    attempts: d.attempts.map((a) => ({ ...a })),
    nextAttemptAt: d.nextAttemptAt,
  };
}
