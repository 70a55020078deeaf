import { createHash } from "node:crypto";
import type Stripe from "stripe";
import { EmulatorError } from "./errors";
import { emitEvent } from "./events";
import { chargeObject, paymentIntentObject, paymentMethodObject, type BillingInput, type CardSummary } from "./objects";
import { expireDueSessions, markExpired } from "./sessions";
import { newId, nowSeconds, objects, type SessionExtras } from "./state";
import { findTestCard, INCORRECT_NUMBER, normalizeCardNumber } from "@/lib/stripe-test-cards";

/**
 * What Stripe's hosted Checkout page does when the customer pays: the sandbox page (/dev/checkout/[sessionId])
 * calls these. A decline leaves the session open for another card, as Checkout does; success completes it.
 */

export type CheckoutPaymentError = { code: string; declineCode: string | null; message: string };

export type CheckoutPaymentResult =
  | { outcome: "succeeded"; sessionId: string; paymentIntentId: string; successUrl: string }
  | { outcome: "failed"; sessionId: string; paymentIntentId: string | null; error: CheckoutPaymentError };

/**
 * What the customer typed next to the card number on the hosted page: the cardholder name (the sandbox page does
 * not ask for one, so it stays null there) and the billing country (Checkout always collects it; default JP).
 */
export type CheckoutBillingInput = { name?: string | null; country?: string };

export function payCheckoutSession(
  sessionId: string,
  card: string,
  billingInput: CheckoutBillingInput = {},
): CheckoutPaymentResult {
  const session = openSession(sessionId);
  const testCard = findTestCard(card);
  const existingPiId = typeof session.payment_intent === "string" ? session.payment_intent : null;
  if (!testCard) return { outcome: "failed", sessionId, paymentIntentId: existingPiId, error: { ...INCORRECT_NUMBER } };

  const pi = sessionPaymentIntent(session);
  const paymentMethodId = newId("pm", 18);
  const billing: BillingInput = {
    email: session.customer_email,
    name: billingInput.name ?? null,
    country: billingInput.country ?? "JP",
  };
  const summary = cardSummary(card);
  const charge = chargeObject({
    paymentIntent: pi,
    paymentMethodId,
    card: summary,
    billing,
    outcome: testCard.decline ? { kind: "failed", ...testCard.decline } : { kind: "succeeded" },
  });
  objects().charges.set(charge.id, charge);
  pi.latest_charge = charge.id;

  if (testCard.decline) {
    const { code, declineCode, message } = testCard.decline;
    pi.status = "requires_payment_method";
    // The failed card is detached from the intent; the error keeps the details, the PaymentMethod in full.
    // (No payment_method_type: Stripe fills that only for invoice-related errors.)
    pi.payment_method = null;
    const adviceCode = charge.outcome?.advice_code ?? null;
    pi.last_payment_error = {
      ...(adviceCode ? { advice_code: adviceCode } : {}),
      charge: charge.id,
      code,
      ...(declineCode ? { decline_code: declineCode } : {}),
      doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`,
      message,
      payment_method: paymentMethodObject({ id: paymentMethodId, card: summary, billing }),
      type: "card_error",
    };
    emitEvent("payment_intent.payment_failed", pi);
    return { outcome: "failed", sessionId, paymentIntentId: pi.id, error: { code, declineCode, message } };
  }

  pi.status = "succeeded";
  pi.amount_received = pi.amount;
  pi.payment_method = paymentMethodId;
  pi.last_payment_error = null;
  session.status = "complete";
  session.payment_status = "paid";
  session.url = null;
  session.customer_details = {
    address: { city: null, country: billing.country, line1: null, line2: null, postal_code: null, state: null },
    business_name: null,
    email: session.customer_email,
    individual_name: null,
    name: billing.name,
    phone: null,
    tax_exempt: "none",
    tax_ids: [],
  };
  session.collected_information = { business_name: null, individual_name: null, shipping_details: null };
  emitEvent("payment_intent.succeeded", pi);
  emitEvent("checkout.session.completed", session);
  return { outcome: "succeeded", sessionId, paymentIntentId: pi.id, successUrl: resolvedSuccessUrl(session) };
}

export type CheckoutSessionView = {
  id: string;
  status: "open" | "complete" | "expired";
  amountTotal: number;
  currency: string;
  customerEmail: string | null;
  expiresAt: string;
  successUrl: string | null;
  cancelUrl: string | null;
  lineItems: SessionExtras["lineItems"];
  lastPaymentError: CheckoutPaymentError | null;
};

/** What the sandbox page shows; null for an unknown session. Expires the session first if its time is up. */
export function getCheckoutSessionView(sessionId: string): CheckoutSessionView | null {
  expireDueSessions();
  const session = objects().sessions.get(sessionId);
  if (!session) return null;
  const piId = typeof session.payment_intent === "string" ? session.payment_intent : null;
  const lastError = piId ? (objects().paymentIntents.get(piId)?.last_payment_error ?? null) : null;
  return {
    id: session.id,
    status: session.status === "complete" ? "complete" : session.status === "expired" ? "expired" : "open",
    amountTotal: session.amount_total ?? 0,
    currency: session.currency ?? "jpy",
    customerEmail: session.customer_email,
    expiresAt: new Date(session.expires_at * 1000).toISOString(),
    successUrl: session.success_url === null ? null : resolvedSuccessUrl(session),
    cancelUrl: session.cancel_url,
    lineItems: objects().sessionExtras.get(session.id)?.lineItems ?? [],
    lastPaymentError: lastError
      ? {
          code: lastError.code ?? "card_declined",
          declineCode: lastError.decline_code ?? null,
          message: lastError.message ?? "",
        }
      : null,
  };
}

function openSession(sessionId: string): Stripe.Checkout.Session {
  const session = objects().sessions.get(sessionId);
  if (!session) throw new EmulatorError("not_found", `No such checkout.session: '${sessionId}'`);
  if (session.status === "open" && nowSeconds() >= session.expires_at) {
    markExpired(session, null);
    throw new EmulatorError("expired", "This Checkout Session has expired.");
  }
  if (session.status === "expired") throw new EmulatorError("expired", "This Checkout Session has expired.");
  if (session.status !== "open") throw new EmulatorError("not_open", "This Checkout Session is already complete.");
  return session;
}

/** Checkout creates the PaymentIntent at the first payment attempt and reuses it for the next card. */
function sessionPaymentIntent(session: Stripe.Checkout.Session): Stripe.PaymentIntent {
  const existing =
    typeof session.payment_intent === "string" ? objects().paymentIntents.get(session.payment_intent) : undefined;
  if (existing) return existing;
  const extras = objects().sessionExtras.get(session.id);
  const pi = paymentIntentObject({
    amount: session.amount_total ?? 0,
    currency: session.currency ?? "jpy",
    metadata: extras?.paymentIntentData.metadata ?? {},
    description: extras?.paymentIntentData.description ?? null,
  });
  objects().paymentIntents.set(pi.id, pi);
  session.payment_intent = pi.id;
  return pi;
}

function cardSummary(card: string): CardSummary {
  const number = normalizeCardNumber(card);
  const year = new Date(nowSeconds() * 1000).getUTCFullYear();
  // Like Stripe's, the fingerprint is the same for every use of one card number on the account.
  const fingerprint = createHash("sha256")
    .update(`card:${number}`)
    .digest("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 16);
  return { last4: number.slice(-4), expMonth: 12, expYear: year + 3, fingerprint };
}

function resolvedSuccessUrl(session: Stripe.Checkout.Session): string {
  return (session.success_url ?? "").replaceAll("{CHECKOUT_SESSION_ID}", session.id);
}
