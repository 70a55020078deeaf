import { noSuch, StripeApiError } from "./errors";
import type { RequestContext } from "./events";
import { listEvents, retrieveEvent } from "./events";
import { expandObject } from "./expand";
import { expandParam, type Params } from "./params";
import { createRefund, listRefunds, retrieveRefund } from "./refunds";
import {
  createCheckoutSession,
  expireCheckoutSession,
  expireDueSessions,
  listCheckoutSessions,
  retrieveCheckoutSession,
} from "./sessions";
import { nowSeconds, objects } from "./state";

/** The emulated endpoints: method + path → handler. Each handler returns the JSON body or throws StripeApiError. */

type Handler = (ids: string[], params: Params, request: RequestContext) => object;

const ROUTES: { method: "GET" | "POST"; path: RegExp; handler: Handler }[] = [
  { method: "POST", path: /^\/v1\/checkout\/sessions$/, handler: (_, params) => createCheckoutSession(params) },
  { method: "GET", path: /^\/v1\/checkout\/sessions$/, handler: (_, params) => listCheckoutSessions(params) },
  {
    method: "GET",
    path: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handler: ([id]) => retrieveCheckoutSession(id as string),
  },
  {
    method: "POST",
    path: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
    handler: ([id], _, request) => expireCheckoutSession(id as string, request),
  },
  {
    method: "GET",
    path: /^\/v1\/payment_intents\/([^/]+)$/,
    handler: ([id]) => stored("paymentIntents", id as string),
  },
  { method: "GET", path: /^\/v1\/charges\/([^/]+)$/, handler: ([id]) => stored("charges", id as string) },
  { method: "POST", path: /^\/v1\/refunds$/, handler: (_, params, request) => createRefund(params, request) },
  { method: "GET", path: /^\/v1\/refunds$/, handler: (_, params) => listRefunds(params) },
  { method: "GET", path: /^\/v1\/refunds\/([^/]+)$/, handler: ([id]) => retrieveRefund(id as string) },
  { method: "GET", path: /^\/v1\/events$/, handler: (_, params) => listEvents(params) },
  { method: "GET", path: /^\/v1\/events\/([^/]+)$/, handler: ([id]) => retrieveEvent(id as string) },
];

export type RouteResult = { status: number; body: unknown };

export function routeRequest(method: string, pathname: string, params: Params, request: RequestContext): RouteResult {
  try {
    // Stripe expires sessions on its own; the emulator catches up whenever it is asked anything.
    expireDueSessions();
    for (const route of ROUTES) {
      const match = route.method === method ? route.path.exec(pathname) : null;
      if (!match) continue;
      const ids = match.slice(1).map((id) => decodeURIComponent(id));
      const result = route.handler(ids, params, request);
      // A list (object: "list") is returned as is; single objects honour expand[].
      const body = "object" in result && result.object === "list" ? result : expandObject(result, expandParam(params));
      return { status: 200, body };
    }
    throw new StripeApiError(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    });
  } catch (error) {
    if (error instanceof StripeApiError) return errorResult(error, request.requestId);
    throw error;
  }
}

/** Stripe's error body; request_log_url is the (test mode) dashboard log of the request that failed. */
export function errorResult(error: StripeApiError, requestId: string): RouteResult {
  const requestLogUrl = `https://dashboard.stripe.com/test/logs/${requestId}?t=${nowSeconds()}`;
  return { status: error.status, body: { error: { ...error.body, request_log_url: requestLogUrl } } };
}

function stored(kind: "paymentIntents" | "charges", id: string): object {
  const found = objects()[kind].get(id);
  if (found) return found;
  throw kind === "paymentIntents" ? noSuch("payment_intent", id, "intent") : noSuch("charge", id, "id");
}
