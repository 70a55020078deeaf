import Stripe from "stripe";
import { invalidParam, noSuch } from "./errors";
import type { FormValue } from "./form";
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
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidParam("limit", "Invalid integer: limit must be between 1 and 100.");
  }
  const matchesCreated = createdFilter(params.created);
  const matchesType = typeFilter(params.type, params.types);
  let newestFirst = [...objects().events].reverse().map((s) => s.event);
  newestFirst = newestFirst.filter((e) => matchesCreated(e.created) && matchesType(e.type));

  let page: Stripe.Event[];
  let hasMore: boolean;
  if (typeof params.ending_before === "string") {
    const index = cursorIndex(newestFirst, params.ending_before, "ending_before");
    const before = newestFirst.slice(0, index);
    page = before.slice(-limit);
    hasMore = before.length > limit;
  } else {
    const after = params.starting_after;
    const start = typeof after === "string" ? cursorIndex(newestFirst, after, "starting_after") + 1 : 0;
    page = newestFirst.slice(start, start + limit);
    hasMore = newestFirst.length > start + limit;
  }
  return { object: "list", data: page.map((e) => snapshot(e)), has_more: hasMore, url: "/v1/events" };
}

function cursorIndex(events: Stripe.Event[], id: string, param: string): number {
  const index = events.findIndex((e) => e.id === id);
  if (index < 0) throw noSuch("event", id, param, 400);
  return index;
}

function createdFilter(created: FormValue | undefined): (at: number) => boolean {
  if (created === undefined) return () => true;
  if (typeof created === "string") {
    const exact = integerParam(created, "created");
    return (at) => at === exact;
  }
  if (Array.isArray(created))
    throw invalidParam("created", "Invalid timestamp: created must be an integer or a range.");
  const bounds = Object.entries(created).map(([op, raw]) => {
    if (!["gt", "gte", "lt", "lte"].includes(op)) {
      throw invalidParam(`created[${op}]`, `Received unknown parameter: created[${op}]`);
    }
    if (typeof raw !== "string") throw invalidParam(`created[${op}]`, "Invalid integer.");
    return { op, value: integerParam(raw, `created[${op}]`) };
  });
  return (at) =>
    bounds.every(({ op, value }) =>
      op === "gt" ? at > value : op === "gte" ? at >= value : op === "lt" ? at < value : at <= value,
    );
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

function integerParam(raw: string, param: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw invalidParam(param, `Invalid integer: ${raw}`);
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
