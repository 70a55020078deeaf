import "server-only";
import { randomUUID } from "node:crypto";
import { lt, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { currentRequestId, jobRunId, withCorrelation } from "@/lib/correlation";
import { logger } from "@/lib/logger";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { idempotencyKeys, rateLimits } from "@/server/db/schema";
import { expireDueHolds } from "@/server/booking/expire";
import { reconcilePayments, type ReconcileReport } from "@/server/payments/reconcile";
import { expireSessionsOfEndedHolds } from "@/server/payments/sessions";
import { dispatchNotifications } from "@/server/notifications/dispatch";
import { queueReminders } from "@/server/notifications/reminders";
import { reportError } from "@/server/observability/errors";
import { pruneMetricMinutes } from "@/server/observability/metrics-store";
import type { JobName } from "./names";

/**
 * Background jobs. The same function runs from /api/cron/<name> (external scheduler, CRON_SECRET) and from the
 * in-process scheduler of the embedded default. Two instances never run the same job at once; the second one reports
 * `skipped`. Database-only jobs (`run`) hold a transaction-scoped advisory lock for their one transaction; jobs that
 * call outside services between transactions (`leased`) hold a row in job_leases instead, so no transaction stays
 * open across a network call. `afterCommit` is gateway work that follows a committed `run` (e.g. expiring the
 * checkout sessions of holds just released).
 */
export type JobResult = {
  job: string;
  /** This run's correlation id: its log lines' `requestId` and its rows' `request_id`. */
  runId: string;
  status: "done" | "skipped";
  affected: number;
  durationMs: number;
  report?: ReconcileReport;
};

type JobDefinition =
  | { intervalMs: number; run: (tx: Tx) => Promise<number>; afterCommit?: () => Promise<number> }
  | { intervalMs: number; leased: () => Promise<{ affected: number; report?: ReconcileReport }> };

const LEASE_MS = 5 * 60_000;

export const jobs = {
  "cleanup-idempotency-keys": {
    intervalMs: 60 * 60_000,
    run: async (tx) => {
      const removed = await tx
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.expiresAt, clock.now()))
        .returning({ id: idempotencyKeys.id });
      return removed.length;
    },
  },
  "cleanup-rate-limits": {
    intervalMs: 60 * 60_000,
    // Counters of RATE_LIMIT_STORE=postgres whose window ended. Real time, not clock.now(): the limiter counts on it.
    run: async (tx) => {
      const removed = await tx
        .delete(rateLimits)
        .where(sql`${rateLimits.expire} < now()`)
        .returning({ key: rateLimits.key });
      return removed.length;
    },
  },
  "prune-metrics": {
    intervalMs: 60 * 60_000,
    // The dashboard's per-minute aggregates older than RETENTION_DAYS (real time, like the minutes themselves).
    run: (tx) => pruneMetricMinutes(tx),
  },
  "expire-holds": {
    intervalMs: 30_000,
    run: (tx) => expireDueHolds(tx, clock.now(), 500),
    afterCommit: () => expireSessionsOfEndedHolds(),
  },
  "dispatch-notifications": {
    intervalMs: 15_000,
    leased: async () => {
      const report = await dispatchNotifications({ limit: 200 });
      return { affected: report.sent + report.failed + report.suppressed };
    },
  },
  "send-reminders": {
    intervalMs: 5 * 60_000,
    run: (tx) => queueReminders(tx),
  },
  "reconcile-payments": {
    intervalMs: 5 * 60_000,
    leased: async () => {
      const report = await reconcilePayments();
      const affected = report.eventsIngested + report.inboxProcessed + report.sessionsSettled + report.refundsSubmitted;
      return { affected, report };
    },
  },
} satisfies Record<JobName, JobDefinition>;

export type { JobName };

/**
 * Runs one job now. Each run has its own correlation id (`job-<name>-<uuid>`, `runId` in the result): every line it
 * logs carries it as `requestId`, and the rows it writes (audit, outbox, inbox) carry it in `request_id`. A run
 * started by /api/cron/<name> names that request in `calledBy`.
 */
export async function runJob(name: JobName): Promise<JobResult> {
  const calledBy = currentRequestId();
  const runId = jobRunId(name);
  return withCorrelation(runId, async () => {
    try {
      return await runJobNow(name, runId, calledBy);
    } catch (error) {
      // A run started by the in-process scheduler is reported here, tagged with its run id; one started by its cron
      // route is reported by the route wrapper as that request's 5xx (one event either way: reportError dedupes).
      if (!calledBy) reportError(error, { job: name, requestId: runId });
      throw error;
    }
  });
}

async function runJobNow(name: JobName, runId: string, calledBy: string | undefined): Promise<JobResult> {
  const started = performance.now();
  const job: JobDefinition = jobs[name];
  let outcome: { affected: number; report?: ReconcileReport } | null;
  if ("leased" in job) {
    const holder = randomUUID();
    if (await takeLease(name, holder)) {
      let succeeded = false;
      try {
        outcome = await job.leased();
        succeeded = true;
      } finally {
        await releaseLease(name, holder, succeeded);
      }
    } else outcome = null;
  } else {
    const affected = await asService(async (tx) => {
      const [lock] = await queryRows<{ locked: boolean }>(
        tx,
        sql`select pg_try_advisory_xact_lock(hashtext(${"job:" + name})) as locked`,
      );
      if (!lock?.locked) return null;
      return job.run(tx);
    });
    outcome = affected === null ? null : { affected: affected + (job.afterCommit ? await job.afterCommit() : 0) };
    if (outcome) await recordSuccess(name);
  }
  const result: JobResult = {
    job: name,
    runId,
    status: outcome === null ? "skipped" : "done",
    affected: outcome?.affected ?? 0,
    durationMs: Math.round(performance.now() - started),
    ...(outcome?.report ? { report: outcome.report } : {}),
  };
  logger.info({ event: "job.run", ...result, ...(calledBy ? { calledBy } : {}) }, "job finished");
  return result;
}

/**
 * One autocommit statement: takes the lease if it is free or its holder's time ran out (a crashed run). Lease times
 * are the database's real time, not clock.now(): they measure how long a run may take, and the test clock can jump.
 */
async function takeLease(name: string, holder: string): Promise<boolean> {
  const rows = await asService((tx) =>
    queryRows<{ name: string }>(
      tx,
      sql`insert into job_leases (name, holder, locked_until) values (${name}, ${holder}, now() + make_interval(secs => ${LEASE_MS / 1000}))
          on conflict (name) do update set holder = excluded.holder, locked_until = excluded.locked_until
            where job_leases.locked_until < now()
          returning name`,
    ),
  );
  return rows.length > 0;
}

/** Frees the lease; `last_run_at` moves only when the run succeeded (it is the "last successful run" /api/health shows). */
async function releaseLease(name: string, holder: string, succeeded: boolean): Promise<void> {
  await asService((tx) =>
    tx.execute(
      sql`update job_leases set locked_until = '-infinity',
            last_run_at = case when ${succeeded} then now() else last_run_at end
          where name = ${name} and holder = ${holder}`,
    ),
  );
}

/**
 * A database-only job (advisory lock, no lease) records its last successful run in the same table: a row whose
 * lease is never held. Real time, like the leases.
 */
async function recordSuccess(name: string): Promise<void> {
  await asService((tx) =>
    tx.execute(
      sql`insert into job_leases (name, holder, locked_until, last_run_at) values (${name}, '', '-infinity', now())
          on conflict (name) do update set last_run_at = now()`,
    ),
  );
}
