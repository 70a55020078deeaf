import "server-only";
import { lt, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { logger } from "@/lib/logger";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { idempotencyKeys } from "@/server/db/schema";
import { expireDueHolds } from "@/server/booking/expire";

/**
 * Background jobs. The same function runs from /api/cron/<name> (external scheduler, CRON_SECRET) and from the
 * in-process scheduler of the embedded default. Each run holds a transaction-scoped advisory lock, so two instances
 * never run the same job at once: the second one reports `skipped`.
 */
export type JobResult = { job: string; status: "done" | "skipped"; affected: number; durationMs: number };

type JobDefinition = { intervalMs: number; run: (tx: Tx) => Promise<number> };

export const jobs = {
  "cleanup-idempotency-keys": {
    intervalMs: 60 * 60_000,
    run: async (tx) => {
      const removed = await tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, clock.now())).returning({ id: idempotencyKeys.id });
      return removed.length;
    },
  },
  "expire-holds": {
    intervalMs: 30_000,
    run: (tx) => expireDueHolds(tx, clock.now(), 500),
  },
} satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobs;

export async function runJob(name: JobName): Promise<JobResult> {
  const started = performance.now();
  const job: JobDefinition = jobs[name];
  const outcome = await asService(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(hashtext(${"job:" + name})) as locked`,
    );
    if (!lock?.locked) return null;
    return job.run(tx);
  });
  const result: JobResult = {
    job: name,
    status: outcome === null ? "skipped" : "done",
    affected: outcome ?? 0,
    durationMs: Math.round(performance.now() - started),
  };
  logger.info({ event: "job.run", ...result }, "job finished");
  return result;
}
