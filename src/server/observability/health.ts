import "server-only";
import { withTimeout } from "@/lib/timeout";
import { sql } from "drizzle-orm";
import { getEnv, getModes } from "@/lib/env";
import { clock } from "@/lib/clock";
import { getDatabase, type Db } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { jobNames, type JobName } from "@/server/jobs/names";
import { migrationStatus, type MigrationStatus } from "@/server/db/migrate";
import { rateLimitStoreHealth, type RateLimitHealth } from "@/server/security/rate-limit";
import packageJson from "../../../package.json";

const startedAt = Date.now();

export type Health = {
  status: "ok" | "degraded" | "unavailable";
  version: string;
  uptimeSeconds: number;
  modes: Omit<ReturnType<typeof getModes>, "mocksAllowed" | "clock"> & { mocksAllowed: boolean; clock: string };
  db: { ok: boolean; latencyMs: number | null; migration: MigrationStatus | null; error?: string };
  /** The rate-limit store asked directly (Redis PING, a read of rate_limits, or the process's memory). */
  rateLimit: RateLimitHealth;
  /**
   * Work waiting in the database (docs/tracing.md), null when it could not be read (database down, tables missing):
   * notifications not yet sent and how long the oldest has waited, notifications that gave up, inbox events that
   * failed or wait for reconcile, and each job's last successful run.
   */
  backlog: Backlog | null;
};

export type Backlog = {
  outbox: { pending: number; oldestPendingAgeSeconds: number | null; failed: number };
  inbox: { failed: number; received: number };
  jobs: Record<JobName, { lastSuccessAt: string | null }>;
};

const DB_CHECK_TIMEOUT_MS = 3000;

export async function checkHealth(): Promise<Health> {
  const modes = getModes();
  const [{ backlog, ...db }, rateLimit] = await Promise.all([checkDatabase(), rateLimitStoreHealth()]);
  // A rate-limit store that is down degrades the service (reads pass, sign-in is refused) without taking it out of
  // the load balancer: readiness follows the database alone.
  const status: Health["status"] = !db.ok
    ? "unavailable"
    : (db.migration && db.migration.pending > 0) || !rateLimit.ok
      ? "degraded"
      : "ok";
  return {
    status,
    version: getEnv().APP_VERSION ?? packageJson.version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    modes,
    db,
    rateLimit,
    backlog,
  };
}

async function checkDatabase(): Promise<Health["db"] & { backlog: Backlog | null }> {
  const started = performance.now();
  try {
    const result = await withTimeout(
      (async () => {
        const { db } = await getDatabase();
        await db.execute(sql`select 1`);
        const latencyMs = Math.round((performance.now() - started) * 10) / 10;
        const migration = await migrationStatus(db);
        return { ok: true, latencyMs, migration, backlog: await readBacklog(db) };
      })(),
      DB_CHECK_TIMEOUT_MS,
    );
    return result;
  } catch (error) {
    return { ok: false, latencyMs: null, migration: null, error: errorCode(error) ?? "unreachable", backlog: null };
  }
}

type BacklogRow = {
  outbox_pending: number;
  outbox_oldest: string | Date | null;
  outbox_failed: number;
  inbox_failed: number;
  inbox_received: number;
};

/**
 * Two small reads: indexed counts (notifications_status_idx, webhook_events_unprocessed_idx) and the few job rows.
 * A database that answers `select 1` but lacks the tables (migrations pending) reports null rather than failing.
 */
async function readBacklog(db: Db): Promise<Backlog | null> {
  try {
    const [row] = await queryRows<BacklogRow>(
      db,
      sql`select
            (select count(*)::int from notifications where status in ('pending', 'sending')) as outbox_pending,
            (select min(created_at) from notifications where status in ('pending', 'sending')) as outbox_oldest,
            (select count(*)::int from notifications where status = 'failed') as outbox_failed,
            (select count(*)::int from webhook_events where status = 'failed') as inbox_failed,
            (select count(*)::int from webhook_events where status = 'received') as inbox_received`,
    );
    const jobRows = await queryRows<{ name: string; last_run_at: string | Date | null }>(
      db,
      sql`select name, last_run_at from job_leases`,
    );
    if (!row) return null;
    const runs = new Map(jobRows.map((j) => [j.name, j.last_run_at]));
    const oldest = row.outbox_oldest === null ? null : new Date(row.outbox_oldest).getTime();
    return {
      outbox: {
        pending: Number(row.outbox_pending),
        // The app clock wrote created_at, so the age is measured on it too.
        oldestPendingAgeSeconds:
          oldest === null ? null : Math.max(0, Math.floor((clock.now().getTime() - oldest) / 1000)),
        failed: Number(row.outbox_failed),
      },
      inbox: { failed: Number(row.inbox_failed), received: Number(row.inbox_received) },
      jobs: Object.fromEntries(
        jobNames.map((name) => {
          const at = runs.get(name);
          return [name, { lastSuccessAt: at ? new Date(at).toISOString() : null }];
        }),
      ) as Backlog["jobs"],
    };
  } catch {
    return null;
  }
}

/** The first error code along the cause chain (drivers wrap the socket error), e.g. ECONNREFUSED. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
