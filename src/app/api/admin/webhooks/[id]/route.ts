import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { getWebhookEvent } from "@/server/admin/webhook-inbox";

export const dynamic = "force-dynamic";

/** Staff and admins: one stored webhook event with its payload. */
export const GET = adminRoute(
  { route: "/api/admin/webhooks/[id]", params: z.strictObject({ id: z.uuid() }) },
  async ({ auth, params }) => ({ event: await getWebhookEvent(auth, params.id) }),
);
