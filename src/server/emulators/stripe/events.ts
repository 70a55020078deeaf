import Stripe from "stripe";
import { invalidParam, noSuch } from "./errors";
import type { FormValue } from "./form";
import { createdFilter, listPage } from "./list";
import { newId, nowSeconds, objects, snapshot, type StoredEvent } from "./state";
import { enqueueWebhook } from "./webhooks";

/**
 * Events: every state change the app's webhook endpoint subscribes to is recorded here (GET /v1/events reads
 * them, as the reconcile job does) and handed to the webhook sender. The emulator emits the types the app
 * handles (payment_intent.succeeded / payment_failed / canceled, checkout.session.completed / expired,
 * charge.refunded, refund.created / updated), not every event real Stripe would log.
 */

type EventOf<T extends Stripe.Event.Type> = Extract<Stripe.Event, { type: T }>;

/** The API request that caused an event (Stripe's `event.request`); null for the customer's own actions. */
export type RequestContext = { requestId: string; idempotencyKey: string | null };

export function emitEvent<T extends Stripe.Event.Type>(
  type: T,
  object: EventOf<T>["data"]["object"],
  options: { previousAttributes?: Record<string, unknown>; request?: RequestContext | null } = {},
): EventOf<T> {
  const request = options.request ?? null;
  // The SDK types each event by its `type`; built generically here, so the union member is asserted once.
  const event = {
    id: newId("evt", 18),
    object: "event",
    api_version: Stripe.API_VERSION,
    created: nowSeconds(),
    data: {
      object: snapshot(object),
      ...(options.previousAttributes ? { previous_attributes: snapshot(options.previousAttributes) } : {}),
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: request?.requestId ?? null, idempotency_key: request?.idempotencyKey ?? null },
    type,
  } as unknown as EventOf<T>;
  // Stripe sends pretty-printed JSON; the signature covers these exact bytes.
  const stored: StoredEvent = { event, body: JSON.stringify(event, null, 2) };
  objects().events.push(stored);
  objects().eventsById.set(event.id, stored);
  enqueueWebhook(stored);
  return event;
}

/** Every event emitted so far, oldest first (copies). */
export function stripeEmulatorEvents(): Stripe.Event[] {
  return objects().events.map((s) => snapshot(s.event));
}

export function retrieveEvent(id: string): Stripe.Event {
  const stored = objects().eventsById.get(id);
  if (!stored) throw noSuch("event", id, "id");
  return snapshot(stored.event);
}

/** GET /v1/events: newest first, with created / type / types filters and cursor pagination like the real list. */
export function listEvents(params: Record<string, FormValue>): Stripe.ApiList<Stripe.Event> {
  const matchesCreated = createdFilter(params.created);
  const matchesType = typeFilter(params.type, params.types);
  const newestFirst = [...objects().events]
    .reverse()
    .map((s) => s.event)
    .filter((e) => matchesCreated(e.created) && matchesType(e.type));
  return listPage(newestFirst, params, { url: "/v1/events", objectName: "event" });
}

function typeFilter(type: FormValue | undefined, types: FormValue | undefined): (eventType: string) => boolean {
  if (type !== undefined && types !== undefined) {
    throw invalidParam("types", "You may only specify one of these parameters: type, types.");
  }
  const patterns =
    typeof type === "string"
      ? [type]
      : Array.isArray(types)
        ? types.filter((t): t is string => typeof t === "string")
        : null;
  if (!patterns) return () => true;
  if (patterns.length > 20) throw invalidParam("types", "You may specify at most 20 event types.");
  // `charge.*` matches every charge event, as the real filter does.
  const regexes = patterns.map((p) => new RegExp(`^${p.split("*").map(escapeRegExp).join("[^]*")}$`));
  return (eventType) => regexes.some((r) => r.test(eventType));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
