import "server-only";
import { EnvError, getConfig } from "@/lib/env";
import { logger } from "@/lib/logger";
import { prepareDatabaseAtStartup } from "./db/bootstrap";
import { closeDatabase } from "./db/index";
import { startScheduler } from "./jobs/scheduler";
import { startMetricsFlush } from "./observability/metrics-store";
import { initErrorTracking } from "./observability/sentry";
import { hostPolicyFrom } from "./security/hosts";
import { processSlot } from "@/lib/process-global";

export async function startServer(): Promise<void> {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      // One message, every problem: printed plainly so it is readable in any terminal or platform log.
      console.error(`\n${error.message}\n`);
      logger.fatal(
        { event: "startup.config_invalid", variables: error.problems.map((p) => p.variable) },
        "invalid configuration",
      );
      process.exit(1);
    }
    throw error;
  }
  const { modes } = config;
  logger.info({ event: "startup.modes", ...modes }, "integration modes resolved");
  // Before anything else can fail: with ERROR_TRACKING=sentry the SDK starts here; mode off leaves it uninitialised.
  initErrorTracking("nodejs", config);
  if (modes.mocksAllowed && config.env.NODE_ENV === "production") {
    logger.warn(
      { event: "startup.mocks_in_production", remote: config.env.ALLOW_DEV_MOCKS_REMOTE === true },
      config.env.ALLOW_DEV_MOCKS_REMOTE
        ? "ALLOW_DEV_MOCKS is on in a production build and ALLOW_DEV_MOCKS_REMOTE=true: emulators, /api/dev and the public development secrets are reachable from any client"
        : "ALLOW_DEV_MOCKS is on in a production build: only loopback hosts and clients are answered (403 mocks_local_only otherwise); ALLOW_DEV_MOCKS_REMOTE=true lifts that",
    );
  }
  const { invalid } = hostPolicyFrom(config);
  if (invalid.length > 0)
    logger.warn(
      { event: "startup.hosts_invalid", entries: invalid },
      "ALLOWED_BASE_HOSTS entries that are not hosts are ignored",
    );
  closeDatabaseOnSignals();
  try {
    await prepareDatabaseAtStartup();
  } catch (error) {
    // The process keeps serving: /api/health reports the database as down (503) until it is reachable again.
    logger.error({ event: "startup.database_failed", err: error }, "database preparation failed");
  }
  if (modes.auth === "emulator") {
    // The emulator's sign-in emails take the app's email path (dry run in development), as Supabase's own mailer would.
    const [{ onAuthMessage }, { queueAuthEmail }] = await Promise.all([
      import("./emulators/supabase-auth/messages"),
      import("./auth/emails"),
    ]);
    onAuthMessage(queueAuthEmail);
  }
  if (modes.cron === "in_process") startScheduler();
  startMetricsFlush();
}

/**
 * Ctrl-C / SIGTERM close the database before the process goes: PGlite writes a clean shutdown checkpoint and the
 * data directory's lock is released (src/server/db/lock.ts). Next's own handlers, when it has any, run as before;
 * when ours is the only one left, the signal is raised again so the process ends the way it would have without us.
 */
function closeDatabaseOnSignals(): void {
  const installed = processSlot<true>("shutdownHooks");
  if (installed.get()) return;
  installed.set(true);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    // First in line: Next's own handler (which ends with process.exit) starts its async cleanup after ours has begun.
    process.prependOnceListener(signal, () => {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
      void Promise.race([closeDatabase(), timeout])
        .catch((error: unknown) =>
          logger.warn({ event: "shutdown.database_close_failed", err: error }, "closing the database failed"),
        )
        .finally(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    });
  }
}
