import "server-only";
import * as Sentry from "@sentry/nextjs";
import { logger } from "@/lib/logger";
import { reportError } from "@/server/observability/errors";
import { jobs, runJob, type JobName } from "./registry";
import { processSlot } from "@/lib/process-global";

/**
 * In-process scheduler for the embedded default (cron mode `in_process`): calls the same job functions the
 * /api/cron routes call, on each job's interval. Started once per process from instrumentation.
 */
const started = processSlot<NodeJS.Timeout[]>("scheduler");

export function startScheduler(): void {
  if (started.get()) return;
  const timers: NodeJS.Timeout[] = [];
  for (const [name, job] of Object.entries(jobs) as [JobName, (typeof jobs)[JobName]][]) {
    // Fire-and-forget on purpose: a timer has no caller to hand the promise to, and every failure is reported here.
    const tick = (): void => {
      void Sentry.withIsolationScope((scope) => {
        scope.setTags({ job: name, route: `job:${name}` });
        return runJob(name).catch((error: unknown) => reportError(error, { job: name, route: `job:${name}` }));
      });
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    timers.push(timer);
  }
  started.set(timers);
  logger.info({ event: "scheduler.started", jobs: Object.keys(jobs) }, "in-process scheduler started");
}
