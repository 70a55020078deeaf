import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { replayBody, replayWebhookEvent } from "@/server/admin/webhook-inbox";

export const dynamic = "force-dynamic";

/**
 * Staff and admins: process a stored event again through the webhook inbox's own path, with a reason in the audit
 * log. Safe for an event already processed (outcome "duplicate"); a replay that fails still answers 200 and reports
 * outcome "failed" with the row's last error, since the replay itself was carried out and recorded.
 */
export const POST = adminRoute(
  { route: "/api/admin/webhooks/[id]/replay", params: z.strictObject({ id: z.uuid() }), body: replayBody },
  async ({ auth, actor, params, body, requestId }) => ({
    replay: await replayWebhookEvent({ auth, actor, id: params.id, reason: body.reason, requestId }),
  }),
);
