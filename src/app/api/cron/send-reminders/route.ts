import { route } from "@/server/http/route";
import { runJob } from "@/server/jobs/registry";
import { cronGuard } from "@/server/security/cron-guard";

export const dynamic = "force-dynamic";

/** Queues each confirmed booking's reminder once, REMINDER_HOURS_BEFORE hours before it starts. */
export const POST = route({ route: "/api/cron/send-reminders", guards: [cronGuard] }, async () =>
  runJob("send-reminders"),
);
export const GET = POST;
