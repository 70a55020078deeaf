import { adminRoute } from "@/server/admin/http";
import { searchWebhookEvents, webhookQuery } from "@/server/admin/webhook-inbox";

export const dynamic = "force-dynamic";

/** Staff and admins: the webhook inbox (provider, type, status, event id, date range, pages) under RLS. */
export const GET = adminRoute({ route: "/api/admin/webhooks", query: webhookQuery }, async ({ auth, query }) =>
  searchWebhookEvents(auth, query),
);
