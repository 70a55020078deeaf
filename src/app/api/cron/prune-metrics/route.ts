import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

export const POST = route({ route: "/api/cron/prune-metrics", guards: [cronGuard] }, async () =>
  runJob("prune-metrics"),
);
export const GET = POST;
