import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

/** Sends due outbox rows (retries included); also runs right after each commit that wrote some. */
export const POST = route({ route: "/api/cron/dispatch-notifications", guards: [cronGuard] }, async () =>
  runJob("dispatch-notifications"),
);
export const GET = POST;
