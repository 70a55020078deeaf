import type Stripe from "stripe";
import { invalidParam, missingParam, noSuch } from "./errors";
import { emitEvent, type RequestContext } from "./events";
import { createdFilter, listPage } from "./list";
import { checkoutSessionObject } from "./objects";
import { metadataParam, optionalInteger, optionalObject, optionalString, requiredString, type Params } from "./params";
import { nowSeconds, objects, type SessionExtras } from "./state";

/** Checkout Sessions: create, retrieve, list, expire (by API call or because expires_at passed). */

const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 3600;
const DEFAULT_EXPIRY_S = 24 * 3600;

export function createCheckoutSession(params: Params): Stripe.Checkout.Session {
  const now = nowSeconds();
  const mode = requiredString(params, "mode");
  if (mode !== "payment") throw invalidParam("mode", "Only mode=payment is emulated.");
  const { lineItems, amountTotal, currency } = readLineItems(params);
  const successUrl = urlParam(params, "success_url");
  if (successUrl === null) throw missingParam("success_url");

  let expiresAt = now + DEFAULT_EXPIRY_S;
  const requestedExpiry = optionalInteger(params, "expires_at");
  if (requestedExpiry !== null) {
    if (requestedExpiry < now + MIN_EXPIRY_S || requestedExpiry > now + MAX_EXPIRY_S) {
      throw invalidParam(
        "expires_at",
        "The `expires_at` timestamp must be at least 30 minutes and at most 24 hours from Checkout Session creation.",
      );
    }
    expiresAt = requestedExpiry;
  }

  const paymentIntentData = optionalObject(params, "payment_intent_data") ?? {};
  const extras: SessionExtras = {
    lineItems,
    paymentIntentData: {
      metadata: metadataParam(paymentIntentData, "metadata", "payment_intent_data[metadata]"),
      description: optionalString(paymentIntentData, "description", "payment_intent_data[description]"),
    },
  };
  const session = checkoutSessionObject({
    amountTotal,
    currency,
    expiresAt,
    successUrl,
    cancelUrl: urlParam(params, "cancel_url"),
    clientReferenceId: optionalString(params, "client_reference_id"),
    customerEmail: optionalString(params, "customer_email"),
    locale: optionalString(params, "locale"),
    metadata: metadataParam(params, "metadata"),
  });
  objects().sessions.set(session.id, session);
  objects().sessionExtras.set(session.id, extras);
  return session;
}

export function retrieveCheckoutSession(id: string): Stripe.Checkout.Session {
  const session = objects().sessions.get(id);
  if (!session) throw noSuch("checkout.session", id, "session");
  return session;
}

const SESSION_STATUSES = ["open", "complete", "expired"];

/** GET /v1/checkout/sessions: newest first, filtered by status, created and payment_intent, paged like every list. */
export function listCheckoutSessions(params: Params): Stripe.ApiList<Stripe.Checkout.Session> {
  const status = optionalString(params, "status");
  if (status !== null && !SESSION_STATUSES.includes(status)) {
    throw invalidParam("status", `Invalid status: must be one of ${SESSION_STATUSES.join(", ")}`);
  }
  const paymentIntent = optionalString(params, "payment_intent");
  const matchesCreated = createdFilter(params.created);
  const newestFirst = [...objects().sessions.values()]
    .reverse()
    .filter(
      (s) =>
        (status === null || s.status === status) &&
        (paymentIntent === null || s.payment_intent === paymentIntent) &&
        matchesCreated(s.created),
    );
  return listPage(newestFirst, params, { url: "/v1/checkout/sessions", objectName: "checkout.session" });
}

export function expireCheckoutSession(id: string, request: RequestContext): Stripe.Checkout.Session {
  const session = retrieveCheckoutSession(id);
  if (session.status !== "open") {
    throw invalidParam(
      undefined,
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
    );
  }
  markExpired(session, request);
  return session;
}

/**
 * Expires every open session whose expires_at has passed on the app clock. Stripe does this on its own schedule;
 * the emulator does it whenever it is asked anything, so a moved test clock is seen at the next request.
 */
export function expireDueSessions(): string[] {
  const now = nowSeconds();
  const due = [...objects().sessions.values()].filter((s) => s.status === "open" && now >= s.expires_at);
  for (const session of due) markExpired(session, null);
  return due.map((s) => s.id);
}

/** An expired session's PaymentIntent (left by a declined attempt) is canceled with it. */
export function markExpired(session: Stripe.Checkout.Session, request: RequestContext | null): void {
  session.status = "expired";
  session.url = null;
  const piId = typeof session.payment_intent === "string" ? session.payment_intent : null;
  const pi = piId ? objects().paymentIntents.get(piId) : undefined;
  if (pi && pi.status === "requires_payment_method") {
    pi.status = "canceled";
    pi.canceled_at = nowSeconds();
    pi.cancellation_reason = "abandoned";
    emitEvent("payment_intent.canceled", pi, { request });
  }
  emitEvent("checkout.session.expired", session, { request });
}

function readLineItems(params: Params): {
  lineItems: SessionExtras["lineItems"];
  amountTotal: number;
  currency: string;
} {
  const raw = params.line_items;
  if (!Array.isArray(raw) || raw.length === 0) throw missingParam("line_items");
  const lineItems: SessionExtras["lineItems"] = [];
  for (const [i, entry] of raw.entries()) {
    const at = `line_items[${i}]`;
    if (typeof entry !== "object" || Array.isArray(entry))
      throw invalidParam(at, `Invalid object: ${at} must be a hash.`);
    if (typeof entry.price === "string") throw noSuch("price", entry.price, `${at}[price]`, 400);
    const priceData = optionalObject(entry, "price_data", `${at}[price_data]`);
    if (!priceData) throw missingParam(`${at}[price_data]`);
    const currency = requiredString(priceData, "currency", `${at}[price_data][currency]`).toLowerCase();
    const unitAmount = optionalInteger(priceData, "unit_amount", `${at}[price_data][unit_amount]`);
    if (unitAmount === null) throw missingParam(`${at}[price_data][unit_amount]`);
    if (unitAmount < 0)
      throw invalidParam(`${at}[price_data][unit_amount]`, "This value must be greater than or equal to 0.");
    const productData = optionalObject(priceData, "product_data", `${at}[price_data][product_data]`);
    if (!productData) throw missingParam(`${at}[price_data][product_data]`);
    const name = requiredString(productData, "name", `${at}[price_data][product_data][name]`);
    const quantity = optionalInteger(entry, "quantity", `${at}[quantity]`);
    if (quantity === null) throw missingParam(`${at}[quantity]`);
    if (quantity < 1) throw invalidParam(`${at}[quantity]`, "This value must be greater than or equal to 1.");
    if (lineItems[0] && lineItems[0].currency !== currency) {
      throw invalidParam(`${at}[price_data][currency]`, "All line items must use the same currency.");
    }
    lineItems.push({ name, quantity, unitAmount, currency });
  }
  const amountTotal = lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  return { lineItems, amountTotal, currency: (lineItems[0] as SessionExtras["lineItems"][number]).currency };
}

function urlParam(params: Params, name: string): string | null {
  const value = optionalString(params, name);
  if (value === null) return null;
  // `{CHECKOUT_SESSION_ID}` must stay literal: Stripe substitutes it on redirect, so an encoded one would not be.
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw invalidParam(name, "Not a valid URL");
  return value;
}
