/**
 * Runs once when a server instance starts. Stamps each request with its TCP peer address, parses env (exiting with
 * every problem listed), prepares the database and starts the in-process scheduler where the cron mode says so.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // First, before any request: the TCP peer address on every request (src/server/security/client-ip.ts).
  const { installPeerStamp } = await import("./server/security/client-ip");
  await installPeerStamp();
  const { startServer } = await import("./server/startup");
  await startServer();
}
