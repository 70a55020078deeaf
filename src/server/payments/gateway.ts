import "server-only";
import Stripe from "stripe";
import { AppError } from "@/lib/errors";
import { errorSummary } from "@/lib/logger";
import { getStripe } from "./stripe";

/**
 * Everything the app asks of Stripe, through the official SDK (src/server/payments/stripe.ts picks the transport:
 * Stripe itself, or the in-process emulator). Amounts are integer minor units; JPY is zero-decimal, so ¥4,500 is
 * `4500`. Every call that creates something carries an idempotency key, so the SDK's network retries and our own
 * retries can never create a second session or refund.
 */

export type CheckoutRequest = {
  reservationId: string;
  paymentId: string;
  attempt: number;
  /** The request opening this attempt, sent as `metadata.request_id`. */
  requestId?: string;
  productName: string;
  unitAmount: number;
  quantity: number;
  currency: string;
  customerEmail: string;
  locale: "ja" | "en";
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
};

export async function createCheckoutSession(input: CheckoutRequest): Promise<Stripe.Checkout.Session> {
  const metadata = {
    reservation_id: input.reservationId,
    payment_id: input.paymentId,
    attempt: String(input.attempt),
    // The request that opened the attempt (docs/tracing.md). One call per attempt, so a retry under the same
    // idempotency key (the SDK's own) sends the same value.
    ...(input.requestId ? { request_id: input.requestId } : {}),
  };
  return call("checkout.sessions.create", () =>
    getStripe().checkout.sessions.create(
      {
        mode: "payment",
        line_items: [
          {
            quantity: input.quantity,
            price_data: {
              currency: input.currency.toLowerCase(),
              unit_amount: input.unitAmount,
              product_data: { name: input.productName },
            },
          },
        ],
        client_reference_id: input.reservationId,
        customer_email: input.customerEmail,
        locale: input.locale,
        metadata,
        payment_intent_data: { metadata },
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        expires_at: Math.floor(input.expiresAt.getTime() / 1000),
      },
      { idempotencyKey: `checkout:${input.reservationId}:${input.attempt}` },
    ),
  );
}

/** The session as Stripe has it now, with its PaymentIntent expanded (authoritative state for the webhook handlers). */
export async function retrieveCheckoutSession(id: string): Promise<Stripe.Checkout.Session> {
  return call("checkout.sessions.retrieve", () =>
    getStripe().checkout.sessions.retrieve(id, { expand: ["payment_intent"] }),
  );
}

/**
 * Open sessions created since an instant that carry one payment attempt's id in their metadata. Stripe keeps a key's
 * first answer even when it was a 500, and a 500 can come after the session was made: this is how an attempt whose
 * creation failed finds a session it never got to see (Stripe's list has no metadata filter, so it filters here).
 */
export async function findOpenCheckoutSessions(paymentId: string, since: Date): Promise<Stripe.Checkout.Session[]> {
  return call("checkout.sessions.list", async () => {
    const found: Stripe.Checkout.Session[] = [];
    const list = getStripe().checkout.sessions.list({
      status: "open",
      created: { gte: Math.floor(since.getTime() / 1000) },
      limit: 100,
    });
    for await (const session of list) if (session.metadata?.payment_id === paymentId) found.push(session);
    return found;
  });
}

export type ExpireResult = { expired: true } | { expired: false; status: string };

/** Expires an open session. A session that is already complete or expired is reported, not treated as an error. */
export async function expireCheckoutSession(id: string): Promise<ExpireResult> {
  try {
    await getStripe().checkout.sessions.expire(id);
    return { expired: true };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400) {
      const session = await retrieveCheckoutSession(id);
      if (session.status !== "open") return { expired: false, status: session.status ?? "unknown" };
    }
    throw gatewayError("checkout.sessions.expire", error);
  }
}

export async function retrievePaymentIntent(id: string): Promise<Stripe.PaymentIntent> {
  return call("paymentIntents.retrieve", () => getStripe().paymentIntents.retrieve(id, { expand: ["latest_charge"] }));
}

export async function createRefund(input: {
  paymentIntentId: string;
  amount: number;
  refundId: string;
  reservationId: string;
  reason?: Stripe.RefundCreateParams.Reason;
  idempotencyKey: string;
  /** The request that asked for the refund (its audit row's), never the one submitting it: retries keep the key's parameters. */
  requestId?: string;
}): Promise<Stripe.Refund> {
  return getStripe().refunds.create(
    {
      payment_intent: input.paymentIntentId,
      amount: input.amount,
      ...(input.reason ? { reason: input.reason } : {}),
      metadata: {
        refund_id: input.refundId,
        reservation_id: input.reservationId,
        ...(input.requestId ? { request_id: input.requestId } : {}),
      },
    },
    { idempotencyKey: input.idempotencyKey },
  );
}

/** Every refund of a PaymentIntent as Stripe has it now (newest first), to settle ledger rows one by one. */
export async function listRefunds(paymentIntentId: string): Promise<Stripe.Refund[]> {
  return call("refunds.list", async () => {
    const refunds: Stripe.Refund[] = [];
    for await (const refund of getStripe().refunds.list({ payment_intent: paymentIntentId, limit: 100 }))
      refunds.push(refund);
    return refunds;
  });
}

export async function retrieveRefund(id: string): Promise<Stripe.Refund> {
  return call("refunds.retrieve", () => getStripe().refunds.retrieve(id));
}

/** Payment events since an instant, oldest first (reconciliation: events whose delivery never reached us). */
export async function listEventsSince(since: Date, types: string[]): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  const list = getStripe().events.list({ created: { gte: Math.floor(since.getTime() / 1000) }, types, limit: 100 });
  for await (const event of list) {
    events.push(event);
    if (events.length >= 1000) break;
  }
  return events.reverse();
}

/** True when retrying later can succeed: network trouble, Stripe 5xx, rate limiting. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500)
  );
}

/**
 * True when the gateway said the object does not exist (Stripe's 404 `resource_missing`), looking through the
 * AppError a gateway call wraps it in. Definitive, unlike isTransient: asking again will not make it exist.
 */
export function isResourceMissing(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    if (e instanceof Stripe.errors.StripeError) return e.code === "resource_missing" || e.statusCode === 404;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A short, loggable description of a gateway failure (never the request body). */
export function describeGatewayError(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return [error.type, error.code, error.statusCode, error.message]
      .filter((p) => p !== undefined && p !== null)
      .join(": ");
  }
  return errorSummary(error);
}

function gatewayError(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isTransient(error)) {
    return new AppError(
      "dependency_unavailable",
      "The payment provider is not answering right now. Please try again in a moment.",
      {
        retryAfterSeconds: 5,
        internalDetail: `${operation}: ${describeGatewayError(error)}`,
        cause: error,
      },
    );
  }
  return new AppError("internal", "The payment provider rejected the request.", {
    internalDetail: `${operation}: ${describeGatewayError(error)}`,
    cause: error,
  });
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw gatewayError(operation, error);
  }
}
