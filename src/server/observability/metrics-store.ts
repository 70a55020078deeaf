import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { logger } from "@/lib/logger";
import { processSlot } from "@/lib/process-global";
import type { AuthContext } from "@/server/auth/session";
import { asService, asUser, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import {
  BUSINESS_COUNTERS,
  HTTP_DURATION_BUCKETS,
  restoreMinuteAggregates,
  takeMinuteAggregates,
  type BusinessCounter,
} from "./metrics";

/**
 * The built-in dashboard's data (/manage/metrics), correct with several app instances: each instance adds what it
 * counted per minute to one row per (minute, kind, name) in metric_minutes (migration 0009), so two instances' rows
 * for the same minute sum up. The histogram is stored as bucket counts, so p50/p95/p99 are computed over every
 * instance's requests, not averaged. Minutes are real time (not the test clock): they measure the service.
 */

export const FLUSH_INTERVAL_MS = 15_000;
/** Rows older than this are deleted by the prune-metrics job (the dashboard shows at most 7 days). */
export const RETENTION_DAYS = 8;

/** Writes this process's pending aggregates; on failure they are kept for the next flush. Returns rows written. */
export async function flushMetrics(): Promise<number> {
  const taken = takeMinuteAggregates();
  const rows: SQL[] = [];
  for (const [minute, groups] of taken) {
    const at = new Date(minute).toISOString();
    for (const [key, agg] of groups) {
      const [kind, name] = key.startsWith("counter:") ? ["counter", key.slice(8)] : ["http", key];
      const buckets = kind === "http" ? `{${agg.buckets.join(",")}}` : "{}";
      rows.push(
        sql`(${at}::timestamptz, ${kind}, ${name}, ${agg.requests}, ${agg.errors}, ${agg.durationMsSum}, ${buckets}::bigint[])`,
      );
    }
  }
  if (rows.length === 0) return 0;
  try {
    await asService((tx) =>
      tx.execute(sql`
        insert into metric_minutes (minute, kind, name, requests, errors, duration_ms_sum, buckets)
        values ${sql.join(rows, sql`, `)}
        on conflict (minute, kind, name) do update set
          requests = metric_minutes.requests + excluded.requests,
          errors = metric_minutes.errors + excluded.errors,
          duration_ms_sum = metric_minutes.duration_ms_sum + excluded.duration_ms_sum,
          buckets = case
            when cardinality(metric_minutes.buckets) = 0 then excluded.buckets
            when cardinality(excluded.buckets) = 0 then metric_minutes.buckets
            else array(
              select coalesce(a, 0) + coalesce(b, 0)
                from unnest(metric_minutes.buckets, excluded.buckets) with ordinality as u(a, b, i)
               order by i)
          end`),
    );
    return rows.length;
  } catch (error) {
    restoreMinuteAggregates(taken);
    throw error;
  }
}

const flushTimer = processSlot<ReturnType<typeof setInterval>>("metricsFlushTimer");

/** Starts this process's flush timer (once per process; src/server/startup.ts). */
export function startMetricsFlush(): void {
  if (flushTimer.get()) return;
  const timer = setInterval(() => {
    flushMetrics().catch((error: unknown) =>
      logger.warn({ event: "metrics.flush_failed", err: error }, "metrics flush failed; kept for the next one"),
    );
  }, FLUSH_INTERVAL_MS);
  timer.unref?.();
  flushTimer.set(timer);
}

/** The prune-metrics job: deletes minutes older than RETENTION_DAYS. */
export async function pruneMetricMinutes(tx: Tx): Promise<number> {
  const removed = await queryRows<{ minute: string }>(
    tx,
    sql`delete from metric_minutes where minute < now() - make_interval(days => ${RETENTION_DAYS}) returning minute`,
  );
  return removed.length;
}

// --- read model -------------------------------------------------------------------------------------------------

export const METRIC_WINDOWS = { hour: 60, day: 24 * 60, week: 7 * 24 * 60 } as const;
export type MetricWindow = keyof typeof METRIC_WINDOWS;
/** Chart points per window: a minute for the last hour, 15 minutes for a day, 2 hours for 7 days. */
const STEP_MINUTES: Record<MetricWindow, number> = { hour: 1, day: 15, week: 120 };

export type Latency = { p50: number | null; p95: number | null; p99: number | null };
export type GroupStats = {
  group: string;
  requests: number;
  errors: number;
  /** 0..1; null without requests. */
  successRate: number | null;
  errorRate: number | null;
  /** Milliseconds, interpolated within the histogram bucket (null without requests). */
  latencyMs: Latency;
};
export type SeriesPoint = { at: string; requests: number; errors: number; p95Ms: number | null };
export type MetricsDashboard = {
  window: MetricWindow;
  from: string;
  to: string;
  stepMinutes: number;
  total: GroupStats;
  groups: GroupStats[];
  series: SeriesPoint[];
  counters: { name: BusinessCounter; value: number }[];
};

type Row = {
  minute: Date | string;
  kind: string;
  name: string;
  requests: string | number;
  errors: string | number;
  buckets: (string | number)[] | string | null;
};

/** Success rate, error rate and p50/p95/p99 per route group over the window, plus chart points and the counters. */
export async function readMetricsDashboard(
  auth: Pick<AuthContext, "claims">,
  window: MetricWindow,
  now = new Date(),
): Promise<MetricsDashboard> {
  const step = STEP_MINUTES[window];
  const end = Math.floor(now.getTime() / 60_000) * 60_000 + 60_000;
  const start = end - METRIC_WINDOWS[window] * 60_000;
  const rows = await asUser(auth.claims, (tx) =>
    queryRows<Row>(
      tx,
      sql`select minute, kind, name, requests, errors, buckets from metric_minutes
           where minute >= ${new Date(start).toISOString()}::timestamptz and minute < ${new Date(end).toISOString()}::timestamptz`,
    ),
  );
  const size = HTTP_DURATION_BUCKETS.length + 1;
  const empty = () => ({ requests: 0, errors: 0, buckets: new Array<number>(size).fill(0) });
  const byGroup = new Map<string, ReturnType<typeof empty>>();
  const total = empty();
  const points = Array.from({ length: Math.ceil(METRIC_WINDOWS[window] / step) }, empty);
  const counters = new Map<string, number>();
  for (const row of rows) {
    const requests = Number(row.requests);
    if (row.kind === "counter") {
      counters.set(row.name, (counters.get(row.name) ?? 0) + requests);
      continue;
    }
    const buckets = parseBuckets(row.buckets, size);
    const minute = new Date(row.minute).getTime();
    const point = points[Math.floor((minute - start) / (step * 60_000))];
    let group = byGroup.get(row.name);
    if (!group) byGroup.set(row.name, (group = empty()));
    for (const into of [group, total, point]) {
      if (!into) continue;
      into.requests += requests;
      into.errors += Number(row.errors);
      buckets.forEach((n, i) => (into.buckets[i]! += n));
    }
  }
  const stats = (group: string, a: ReturnType<typeof empty>): GroupStats => ({
    group,
    requests: a.requests,
    errors: a.errors,
    successRate: a.requests ? (a.requests - a.errors) / a.requests : null,
    errorRate: a.requests ? a.errors / a.requests : null,
    latencyMs: {
      p50: quantileMs(a.buckets, 0.5),
      p95: quantileMs(a.buckets, 0.95),
      p99: quantileMs(a.buckets, 0.99),
    },
  });
  return {
    window,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    stepMinutes: step,
    total: stats("all", total),
    groups: [...byGroup.entries()].map(([g, a]) => stats(g, a)).sort((x, y) => y.requests - x.requests),
    series: points.map((p, i) => ({
      at: new Date(start + i * step * 60_000).toISOString(),
      requests: p.requests,
      errors: p.errors,
      p95Ms: quantileMs(p.buckets, 0.95),
    })),
    counters: (Object.keys(BUSINESS_COUNTERS) as BusinessCounter[]).map((name) => ({
      name,
      value: counters.get(name) ?? 0,
    })),
  };
}

function parseBuckets(value: Row["buckets"], size: number): number[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === "string"
      ? value.replace(/[{}]/g, "").split(",").filter(Boolean)
      : [];
  const out = new Array<number>(size).fill(0);
  list.slice(0, size).forEach((n, i) => (out[i] = Number(n)));
  return out;
}

/**
 * The q-quantile in milliseconds from bucket counts (HTTP_DURATION_BUCKETS, then one overflow bucket), interpolated
 * linearly inside the bucket it falls in, as Prometheus's histogram_quantile does; the overflow bucket reports its
 * lower bound. Null without observations.
 */
export function quantileMs(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const upper = HTTP_DURATION_BUCKETS[i];
      const lower = i === 0 ? 0 : (HTTP_DURATION_BUCKETS[i - 1] as number);
      if (upper === undefined) return lower * 1000;
      return Math.round((lower + (upper - lower) * ((rank - seen) / n)) * 1000 * 10) / 10;
    }
    seen += n;
  }
  return (HTTP_DURATION_BUCKETS.at(-1) as number) * 1000;
}
