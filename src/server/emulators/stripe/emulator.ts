import "server-only";
import { createHash } from "node:crypto";
import { errorResult, routeRequest, type RouteResult } from "./routes";
import { StripeApiError } from "./errors";
import { resetRefundControls } from "./refunds";
import { clearStripeFaults, hang, takeFault } from "./faults";
import { parseStripeForm } from "./form";
import { newId, objects, resetObjects } from "./state";
import { resetStripeWebhooks } from "./webhooks";

/**
 * In-process stand-in for the Stripe API endpoints the gateway uses, reached through the official SDK's
 * `httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch)` (src/server/payments/stripe.ts). It answers with
 * Stripe-shaped objects and errors, replays Idempotency-Keys, records events and delivers them, signed, to the
 * app's webhook route. State lives on globalThis for the process (embedded default only: mocks allowed).
 *
 * Endpoints: checkout sessions (create, retrieve, expire), payment_intents and charges (retrieve), refunds (create,
 * retrieve), events (list, retrieve). The hosted checkout page is the sandbox (./sandbox.ts, /dev/checkout/[id]).
 */

export async function stripeEmulatorFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const requestId = newId("req", 10);

  const fault = takeFault(method, url.pathname);
  if (fault?.kind === "http_500") {
    return reply(
      errorResult(
        new StripeApiError(500, {
          type: "api_error",
          message: "Sorry, something went wrong. We've already been notified of the problem. If you have any questions, we can help at https://support.stripe.com/.",
        }),
        requestId,
      ),
      requestId,
    );
  }
  if (fault?.kind === "hang") await hang(fault, request.signal);

  const body = method === "GET" ? "" : await request.text();
  const params = parseStripeForm(method === "GET" ? url.searchParams.toString() : body);
  const idempotencyKey = request.headers.get("idempotency-key");
  const context = { requestId, idempotencyKey };
  if (method !== "POST" || !idempotencyKey) return reply(routeRequest(method, url.pathname, params, context), requestId);

  // From here to the store below nothing awaits, so two requests with one key cannot both run the handler.
  const paramsHash = createHash("sha256").update(`${method} ${url.pathname}\n${body}`).digest("hex");
  const previous = objects().idempotency.get(idempotencyKey);
  if (previous) {
    if (previous.paramsHash !== paramsHash) {
      return reply(
        errorResult(
          new StripeApiError(400, {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
          requestId,
        ),
        requestId,
      );
    }
    return reply({ status: previous.status, body: previous.body }, requestId, {
      "Idempotent-Replayed": "true",
      "Original-Request": previous.requestId,
      "Idempotency-Key": idempotencyKey,
    });
  }
  const result = routeRequest(method, url.pathname, params, context);
  // Like Stripe, only a request that ran is remembered; one refused by validation can be retried with the same key.
  if (result.status < 400) objects().idempotency.set(idempotencyKey, { ...result, paramsHash, requestId });
  return reply(result, requestId, { "Idempotency-Key": idempotencyKey });
}

/** Tests and /api/dev/reset: forget every object, event, delivery, fault and webhook setting. */
export function resetStripeEmulator(): void {
  resetObjects();
  resetStripeWebhooks();
  clearStripeFaults();
  resetRefundControls();
}

function reply(result: RouteResult, requestId: string, headers: Record<string, string> = {}): Response {
  return Response.json(result.body, { status: result.status, headers: { "Request-Id": requestId, ...headers } });
}

export { injectStripeFault, clearStripeFaults, type StripeFaultSpec, type StripeFaultHandle } from "./faults";
export {
  configureStripeWebhooks,
  resetStripeWebhooks,
  listWebhookDeliveries,
  pauseWebhooks,
  resumeWebhooks,
  flushWebhooks,
  redeliverEvent,
  settleWebhooks,
  webhookMode,
  type WebhookDeliver,
  type WebhookDelivery,
  type WebhookMode,
  type WebhookOptions,
  type DeliveryStatus,
} from "./webhooks";
export { payCheckoutSession, getCheckoutSessionView, type CheckoutPaymentResult, type CheckoutSessionView } from "./sandbox";
export { expireDueSessions } from "./sessions";
export { holdNextRefunds, settlePendingRefund } from "./refunds";
export { EmulatorError, emulatorErrorAsAppError } from "./errors";
export { stripeEmulatorEvents } from "./events";
