import * as Sentry from "@sentry/nextjs";

/**
 * Runs once when a server instance starts. Stamps each request with its TCP peer address, parses env (exiting with
 * every problem listed), starts error tracking (Sentry, when ERROR_TRACKING=sentry), prepares the database and starts
 * the in-process scheduler where the cron mode says so. The edge runtime, should any code run there, only gets error
 * tracking.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  if (process.env.NEXT_RUNTIME === "edge") {
    const { initErrorTracking } = await import("./server/observability/sentry");
    try {
      initErrorTracking("edge");
    } catch {
      // An invalid configuration is reported (and exits) by the Node.js runtime's startup.
    }
    return;
  }
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, before any request: the TCP peer address on every request (src/server/security/client-ip.ts).
  const { installPeerStamp } = await import("./server/security/client-ip");
  await installPeerStamp();
  const { startServer } = await import("./server/startup");
  await startServer();
}

/**
 * Errors Next.js itself catches while rendering pages, server components and server actions. API routes never get
 * here: their wrapper (src/server/http/route.ts) turns every error into problem+json and reports 5xx itself, so one
 * failure is one event. Without error tracking the SDK is not initialised and this is a no-op.
 */
export const onRequestError = Sentry.captureRequestError;
