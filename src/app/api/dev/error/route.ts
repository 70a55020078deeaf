import { route } from "@/server/http/route";
import { devOnly } from "@/server/security/dev-guard";

export const dynamic = "force-dynamic";

/**
 * Throws on purpose, so a deployment's error tracking can be checked end to end: the answer is a 500 problem+json and
 * the error is reported once (log line `error.reported`, and a Sentry event when ERROR_TRACKING=sentry). Mocks only,
 * like the rest of /api/dev.
 */
export const POST = route({ route: "/api/dev/error", guards: [devOnly] }, async ({ requestId }) => {
  throw new Error(`Deliberate error from POST /api/dev/error (request ${requestId})`);
});
