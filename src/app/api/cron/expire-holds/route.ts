import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

export const POST = route({ route: "/api/cron/expire-holds", guards: [cronGuard] }, async () => runJob("expire-holds"));
export const GET = POST;
