/**
 * Runs once when a server instance starts. Parses env (exiting with every problem listed), prepares the database
 * and starts the in-process scheduler where the cron mode says so.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServer } = await import("./server/startup");
  await startServer();
}
