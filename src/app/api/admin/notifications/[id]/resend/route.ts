import { z } from "zod";
import { reply } from "@/server/http/route";
import { adminRoute } from "@/server/admin/http";
import { resendBody, resendFromLog } from "@/server/admin/notifications-log";

export const dynamic = "force-dynamic";

/** Staff and admins: send a notification again as a new outbox row, with a reason in the audit log. */
export const POST = adminRoute(
  { route: "/api/admin/notifications/[id]/resend", params: z.strictObject({ id: z.uuid() }), body: resendBody },
  async ({ auth, actor, params, body, requestId }) =>
    reply(201, {
      notification: await resendFromLog({ auth, actor, notificationId: params.id, reason: body.reason, requestId }),
    }),
);
