import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

/** Catches what webhooks missed: unreceived events, unprocessed inbox rows, stale sessions, pending refunds, drift. */
export const POST = route({ route: "/api/cron/reconcile-payments", guards: [cronGuard] }, async () =>
  runJob("reconcile-payments"),
);
export const GET = POST;
