import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { processSingleton } from "@/lib/process-global";

/**
 * Prometheus metrics (prom-client): one registry per process, kept on globalThis (src/lib/process-global.ts) because
 * Next.js loads this module once per route bundle and each copy would otherwise count into its own registry.
 * Domain code counts through `count()` with a name from BUSINESS_COUNTERS; the route wrapper records RED metrics
 * through `recordHttpRequest()`. Gauges read from the database are computed at scrape time (metrics-scrape.ts).
 * docs/metrics.md lists every metric.
 */

/** Seconds; the same bounds (in ms) bucket the per-minute aggregates the built-in dashboard reads. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics endpoint itself: not counted, so scrapes never show up as API traffic on a dashboard. */
export const METRICS_ROUTE = "/api/metrics";

export const BUSINESS_COUNTERS = {
  holds_created: {
    help: "Reservations created: held for payment (paid) or confirmed at once (free).",
    labels: ["kind"],
  },
  holds_refused: { help: "Holds refused, by reason (sold_out, slot_closed, hold caps, ...).", labels: ["reason"] },
  holds_expired: { help: "Unpaid holds released by the expire-holds job.", labels: [] },
  confirmations: { help: "Reservations confirmed, by path (payment, free, late_payment, staff).", labels: ["via"] },
  late_payments: { help: "Payments that arrived after their hold ended, by outcome.", labels: ["outcome"] },
  refunds: {
    help: "Refunds recorded (ledger rows created), by reason: late_payment, duplicate_payment, cancellation, manual, refunded_at_gateway.",
    labels: ["reason"],
  },
  refunds_amount: {
    help: "Amount of refunds requested, in the currency's minor unit (yen for JPY), by reason.",
    labels: ["reason", "currency"],
  },
  refunds_failed: { help: "Refunds the gateway failed or cancelled.", labels: ["status"] },
  webhook_failures: { help: "Webhook events whose processing failed (the sender retries).", labels: ["provider"] },
  reconcile_drift: { help: "Ledger/gateway differences found by reconcile, by field.", labels: ["field"] },
  rate_limit_refusals: { help: "Requests refused by a rate-limit rule (429 or lockout).", labels: ["rule"] },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

export type BusinessCounter = keyof typeof BUSINESS_COUNTERS;
type LabelsOf<N extends BusinessCounter> = (typeof BUSINESS_COUNTERS)[N]["labels"][number];

export type Metrics = {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  counters: { [N in BusinessCounter]: Counter<string> };
  webhookLag: Histogram<"provider">;
  reconcileDriftLast: Gauge<string>;
  /** Per-minute aggregates for the built-in dashboard, flushed to PostgreSQL by metrics-store.ts. */
  pending: MinuteAggregates;
};

export type MinuteBucket = { requests: number; errors: number; durationMsSum: number; buckets: number[] };
/** minute (epoch ms) → route group → aggregate; business counters under "counter:<name>" with only `requests` used. */
export type MinuteAggregates = Map<number, Map<string, MinuteBucket>>;

export const metrics = processSingleton<Metrics>("metrics", createMetrics);

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges prom-client names like counters: `promtool check metrics` rejects a `_total` suffix on a gauge.
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
    registry.removeSingleMetric(name);
  const counters = Object.fromEntries(
    Object.entries(BUSINESS_COUNTERS).map(([name, spec]) => [
      name,
      new Counter({ name: `slotbook_${name}_total`, help: spec.help, labelNames: spec.labels, registers: [registry] }),
    ]),
  ) as Metrics["counters"];
  return {
    registry,
    httpRequests: new Counter({
      name: "http_requests_total",
      help: "API requests answered, by route pattern, method and status.",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "API request duration in seconds, by route pattern and method.",
      labelNames: ["route", "method"] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    }),
    counters,
    webhookLag: new Histogram({
      name: "slotbook_webhook_lag_seconds",
      help: "Time from a webhook event's creation at the provider to its processing, in seconds.",
      labelNames: ["provider"] as const,
      buckets: [1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600],
      registers: [registry],
    }),
    reconcileDriftLast: new Gauge({
      name: "slotbook_reconcile_drift_last",
      help: "Ledger/gateway differences found by the last reconcile run in this process.",
      registers: [registry],
    }),
    pending: new Map(),
  };
}

/** Counts one business event (or `by` of them): `count("holds_created", { kind: "paid" })`. Never throws. */
export function count<N extends BusinessCounter>(
  name: N,
  labels: { [L in LabelsOf<N>]: string } = {} as { [L in LabelsOf<N>]: string },
  by = 1,
): void {
  try {
    const m = metrics();
    m.counters[name].inc(labels as Record<string, string>, by);
    const key = `counter:${name}`;
    const agg = minuteAggregate(m, Date.now(), key);
    agg.requests += by;
  } catch {
    // Metrics never break the request that records them.
  }
}

/** RED metrics of one API request, recorded by the route wrapper (src/server/http/route.ts). */
export function recordHttpRequest(
  route: string,
  method: string,
  status: number,
  seconds: number,
  at = Date.now(),
): void {
  if (route === METRICS_ROUTE) return;
  try {
    const m = metrics();
    m.httpRequests.inc({ route, method, status: String(status) });
    m.httpDuration.observe({ route, method }, seconds);
    const agg = minuteAggregate(m, at, routeGroup(route));
    agg.requests += 1;
    if (status >= 500) agg.errors += 1;
    const ms = seconds * 1000;
    agg.durationMsSum += ms;
    const index = HTTP_DURATION_BUCKETS.findIndex((bound) => ms <= bound * 1000);
    agg.buckets[index === -1 ? HTTP_DURATION_BUCKETS.length : index]! += 1;
  } catch {
    // as above
  }
}

/**
 * A refund's reason as a metric label: the system's own reasons as they are, a customer's cancellation as
 * `cancellation`, anything else (a staff member's free-text reason, never a label) as `manual`.
 */
export function refundReasonLabel(reason: string): string {
  if (["late_payment", "duplicate_payment", "refunded_at_gateway"].includes(reason)) return reason;
  if (reason === "cancelled" || reason.startsWith("cancelled:")) return "cancellation";
  return "manual";
}

export function observeWebhookLag(provider: string, seconds: number): void {
  if (Number.isFinite(seconds)) metrics().webhookLag.observe({ provider }, Math.max(0, seconds));
}

export function setReconcileDrift(found: number): void {
  metrics().reconcileDriftLast.set(found);
}

/**
 * The dashboard's route groups: few and stable, so a week of minutes stays small. The first path segment after /api
 * decides (reservations: booking; slots, services: catalog; admin; webhooks; cron; health and ping: health).
 */
export function routeGroup(route: string): string {
  const first = route.split("/")[2] ?? "";
  switch (first) {
    case "reservations":
      return "booking";
    case "slots":
    case "services":
      return "catalog";
    case "admin":
    case "webhooks":
    case "cron":
    case "dev":
      return first;
    case "health":
    case "ping":
      return "health";
    default:
      return "other";
  }
}

function minuteAggregate(m: Metrics, at: number, key: string): MinuteBucket {
  const minute = Math.floor(at / 60_000) * 60_000;
  let groups = m.pending.get(minute);
  if (!groups) m.pending.set(minute, (groups = new Map()));
  let agg = groups.get(key);
  if (!agg) {
    agg = {
      requests: 0,
      errors: 0,
      durationMsSum: 0,
      buckets: new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0),
    };
    groups.set(key, agg);
  }
  return agg;
}

/** Takes the aggregates recorded so far (the flush writes them; on failure it hands them back with restore). */
export function takeMinuteAggregates(): MinuteAggregates {
  const m = metrics();
  const taken = m.pending;
  m.pending = new Map();
  return taken;
}

export function restoreMinuteAggregates(taken: MinuteAggregates): void {
  for (const [minute, groups] of taken) {
    for (const [key, agg] of groups) {
      const into = minuteAggregate(metrics(), minute, key);
      into.requests += agg.requests;
      into.errors += agg.errors;
      into.durationMsSum += agg.durationMsSum;
      agg.buckets.forEach((n, i) => (into.buckets[i]! += n));
    }
  }
}
