import { createHash, randomBytes } from "node:crypto";
import { clock } from "@/lib/clock";
import { appBaseUrl } from "@/lib/env";
import { parseStripeForm, type FormValue } from "./form";

/**
 * In-process stand-in for the Stripe API endpoints the gateway uses, reached through the official SDK's
 * `httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch)` (src/server/payments/stripe.ts). It answers with
 * Stripe-shaped objects and Stripe-shaped errors, including Idempotency-Key replay and the parameter-mismatch error.
 * State lives on globalThis for the process (embedded default only: mocks allowed).
 *
 * Implemented so far: Checkout Sessions — create, retrieve, expire. Payment intents, refunds, events and signed
 * webhook delivery come with the rest of the payments capability (issue 4).
 */

type Json = Record<string, unknown>;
type StoredReply = { status: number; body: Json; paramsHash: string; path: string };
type EmulatorState = { sessions: Map<string, Json>; idempotency: Map<string, StoredReply> };

const KEY = Symbol.for("slotbook.stripeEmulator");
const store = globalThis as unknown as { [KEY]?: EmulatorState };

function state(): EmulatorState {
  store[KEY] ??= { sessions: new Map(), idempotency: new Map() };
  return store[KEY];
}

/** Tests only: forget every object and idempotency key. */
export function resetStripeEmulator(): void {
  store[KEY] = undefined;
}

const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 3600;
const DEFAULT_EXPIRY_S = 24 * 3600;

export async function stripeEmulatorFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const body = method === "GET" ? "" : await request.text();
  const params = method === "GET" ? parseStripeForm(url.searchParams.toString()) : parseStripeForm(body);
  const idempotencyKey = request.headers.get("idempotency-key");

  if (method === "POST" && idempotencyKey) {
    const paramsHash = createHash("sha256").update(`${url.pathname}\n${body}`).digest("hex");
    const previous = state().idempotency.get(idempotencyKey);
    if (previous) {
      if (previous.paramsHash !== paramsHash) {
        return stripeError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      return Response.json(previous.body, { status: previous.status, headers: { "Idempotent-Replayed": "true" } });
    }
    const response = route(method, url.pathname, params);
    const copy = response.clone();
    if (copy.status < 500) {
      state().idempotency.set(idempotencyKey, {
        status: copy.status,
        body: (await copy.json()) as Json,
        paramsHash,
        path: url.pathname,
      });
    }
    return response;
  }
  return route(method, url.pathname, params);
}

function route(method: string, path: string, params: Record<string, FormValue>): Response {
  if (method === "POST" && path === "/v1/checkout/sessions") return createSession(params);
  const retrieve = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
  if (method === "GET" && retrieve) return withSession(retrieve[1] as string, (s) => Response.json(s));
  const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path);
  if (method === "POST" && expire) return withSession(expire[1] as string, expireSession);
  return stripeError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
}

function createSession(params: Record<string, FormValue>): Response {
  const now = Math.floor(clock.now().getTime() / 1000);
  const lineItems = Array.isArray(params.line_items) ? params.line_items : [];
  if (lineItems.length === 0) return missing("line_items");
  if (params.mode !== "payment") return invalid("mode", "Only mode=payment is emulated.");
  if (typeof params.success_url !== "string") return missing("success_url");
  let amountTotal = 0;
  let currency: string | undefined;
  for (const [i, item] of lineItems.entries()) {
    const data = (item as Json).price_data as Json | undefined;
    const quantity = Number((item as Json).quantity ?? 1);
    const unit = Number(data?.unit_amount);
    if (!data || !Number.isInteger(unit) || unit < 0) return missing(`line_items[${i}][price_data][unit_amount]`);
    if (!Number.isInteger(quantity) || quantity < 1) return invalid(`line_items[${i}][quantity]`, "Invalid integer.");
    currency ??= String(data.currency ?? "").toLowerCase();
    amountTotal += unit * quantity;
  }
  let expiresAt = now + DEFAULT_EXPIRY_S;
  if (params.expires_at !== undefined) {
    expiresAt = Number(params.expires_at);
    if (!Number.isInteger(expiresAt) || expiresAt < now + MIN_EXPIRY_S || expiresAt > now + MAX_EXPIRY_S) {
      return invalid(
        "expires_at",
        "The `expires_at` timestamp must be at least 30 minutes and at most 24 hours from Checkout Session creation.",
      );
    }
  }
  const id = `cs_test_${randomBytes(24).toString("base64url")}`;
  const session: Json = {
    id,
    object: "checkout.session",
    amount_subtotal: amountTotal,
    amount_total: amountTotal,
    cancel_url: typeof params.cancel_url === "string" ? params.cancel_url : null,
    client_reference_id: typeof params.client_reference_id === "string" ? params.client_reference_id : null,
    created: now,
    currency,
    customer_email: typeof params.customer_email === "string" ? params.customer_email : null,
    expires_at: expiresAt,
    livemode: false,
    locale: typeof params.locale === "string" ? params.locale : null,
    metadata: (params.metadata as Json | undefined) ?? {},
    mode: "payment",
    payment_intent: null,
    payment_status: "unpaid",
    status: "open",
    success_url: params.success_url,
    url: `${appBaseUrl()}/dev/checkout/${id}`,
  };
  state().sessions.set(id, session);
  return Response.json(session);
}

function expireSession(session: Json): Response {
  if (session.status !== "open") {
    return invalid(undefined, `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`);
  }
  session.status = "expired";
  return Response.json(session);
}

function withSession(id: string, fn: (session: Json) => Response): Response {
  const session = state().sessions.get(id);
  if (!session) {
    return stripeError(404, {
      type: "invalid_request_error",
      code: "resource_missing",
      param: "session",
      message: `No such checkout.session: '${id}'`,
    });
  }
  return fn(session);
}

function missing(param: string): Response {
  return stripeError(400, {
    type: "invalid_request_error",
    code: "parameter_missing",
    param,
    message: `Missing required param: ${param}.`,
  });
}

function invalid(param: string | undefined, message: string): Response {
  return stripeError(400, { type: "invalid_request_error", ...(param ? { param } : {}), message });
}

function stripeError(status: number, error: Json): Response {
  return Response.json({ error: { ...error, request_log_url: null } }, { status, headers: { "Request-Id": `req_${randomBytes(7).toString("hex")}` } });
}
