import "server-only";
import { EnvError, getConfig } from "@/lib/env";
import { logger } from "@/lib/logger";
import { prepareDatabaseAtStartup } from "./db/bootstrap";
import { startScheduler } from "./jobs/scheduler";

export async function startServer(): Promise<void> {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      // One message, every problem: printed plainly so it is readable in any terminal or platform log.
      console.error(`\n${error.message}\n`);
      logger.fatal({ event: "startup.config_invalid", variables: error.problems.map((p) => p.variable) }, "invalid configuration");
      process.exit(1);
    }
    throw error;
  }
  const { modes } = config;
  logger.info({ event: "startup.modes", ...modes }, "integration modes resolved");
  if (modes.mocksAllowed && process.env.NODE_ENV === "production") {
    logger.warn({ event: "startup.mocks_in_production" }, "ALLOW_DEV_MOCKS is on in a production build: emulators and /api/dev are reachable");
  }
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
}
