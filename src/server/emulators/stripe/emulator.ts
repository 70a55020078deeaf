import "server-only";
import { createHash } from "node:crypto";
import { errorResult, routeRequest, type RouteResult } from "./routes";
import { StripeApiError } from "./errors";
import { resetRefundControls } from "./refunds";
import { clearStripeFaults, hang, takeFault } from "./faults";
import { parseStripeForm } from "./form";
import { processSlot } from "@/lib/process-global";
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

/**
 * Idempotency follows Stripe's documented rule for API v1 (docs.stripe.com/api/idempotent_requests,
 * docs.stripe.com/error-low-level#idempotency): the status and body of the first request made with a key are saved
 * once the endpoint has started executing, and every retry with that key gets them back, 500s included; a request
 * refused before execution (parameters that fail validation, or a concurrent request with the same key) saves nothing
 * and may be retried; reusing a key with different parameters is an `idempotency_error`.
 */
export async function stripeEmulatorFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const requestId = newId("req", 10);

  const body = method === "GET" ? "" : await request.text();
  const params = parseStripeForm(method === "GET" ? url.searchParams.toString() : body);
  const idempotencyKey = method === "POST" ? request.headers.get("idempotency-key") : null;
  const context = { requestId, idempotencyKey };
  const paramsHash = createHash("sha256").update(`${method} ${url.pathname}\n${body}`).digest("hex");

  // From the look-up to the in-flight mark nothing awaits, so two requests with one key cannot both run the handler.
  if (idempotencyKey) {
    const previous = objects().idempotency.get(idempotencyKey);
    if (previous && previous.paramsHash !== paramsHash) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`;
      return reply(idempotencyError(400, message, requestId), requestId);
    }
    if (previous) {
      return reply({ status: previous.status, body: previous.body }, requestId, {
        "Idempotent-Replayed": "true",
        "Original-Request": previous.requestId,
        "Idempotency-Key": idempotencyKey,
        ...(previous.status >= 500 ? { "Stripe-Should-Retry": "false" } : {}),
      });
    }
    if (inFlight().has(idempotencyKey)) {
      // Refused before execution: nothing is saved, and the SDK retries a 409.
      const message = `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${idempotencyKey}. Please try again later.`;
      return reply(idempotencyError(409, message, requestId), requestId);
    }
  }

  const fault = takeFault(method, url.pathname);
  if (fault?.kind === "hang") {
    if (idempotencyKey) inFlight().add(idempotencyKey);
    try {
      await hang(fault, request.signal);
    } finally {
      if (idempotencyKey) inFlight().delete(idempotencyKey);
    }
  }

  let result: RouteResult;
  if (fault?.kind === "http_500") {
    result = internalError(requestId);
  } else {
    result = routeRequest(method, url.pathname, params, context);
    if (fault?.kind === "http_500_after_change") result = internalError(requestId);
  }
  if (!idempotencyKey) return reply(result, requestId);
  if (refusedBeforeExecution(result)) return reply(result, requestId, { "Idempotency-Key": idempotencyKey });
  objects().idempotency.set(idempotencyKey, { ...result, paramsHash, requestId });
  return reply(result, requestId, {
    "Idempotency-Key": idempotencyKey,
    ...(result.status >= 500 ? { "Stripe-Should-Retry": "false" } : {}),
  });
}

/** A 400 for parameters that failed validation (missing, unknown or invalid) is answered before the endpoint runs. */
function refusedBeforeExecution(result: RouteResult): boolean {
  if (result.status !== 400) return false;
  const code = (result.body as { error?: { code?: string } }).error?.code;
  return (
    code === undefined ||
    code === "parameter_missing" ||
    code === "parameter_unknown" ||
    code.startsWith("parameter_invalid")
  );
}

function internalError(requestId: string): RouteResult {
  return errorResult(
    new StripeApiError(500, {
      type: "api_error",
      message:
        "Sorry, something went wrong. We've already been notified of the problem. If you have any questions, we can help at https://support.stripe.com/.",
    }),
    requestId,
  );
}

function idempotencyError(status: 400 | 409, message: string, requestId: string): RouteResult {
  return errorResult(new StripeApiError(status, { type: "idempotency_error", message }), requestId);
}

const inFlightStore = processSlot<Set<string>>("stripeEmulator.inFlight");
function inFlight(): Set<string> {
  return inFlightStore.ensure(() => new Set());
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
export {
  payCheckoutSession,
  getCheckoutSessionView,
  type CheckoutPaymentResult,
  type CheckoutSessionView,
} from "./sandbox";
export { expireDueSessions } from "./sessions";
export { holdNextRefunds, settlePendingRefund } from "./refunds";
export { EmulatorError, emulatorErrorAsAppError } from "./errors";
export { stripeEmulatorEvents } from "./events";
