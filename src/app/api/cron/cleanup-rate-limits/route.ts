import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

/** Removes expired rate-limit counters (RATE_LIMIT_STORE=postgres; hourly). */
export const POST = route({ route: "/api/cron/cleanup-rate-limits", guards: [cronGuard] }, async () =>
  runJob("cleanup-rate-limits"),
);
export const GET = POST;
