import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { getNotification } from "@/server/admin/notifications-log";

export const dynamic = "force-dynamic";

/** Staff and admins: one notification with the message as stored (parsed), attempts, last error and its resends. */
export const GET = adminRoute(
  { route: "/api/admin/notifications/[id]", params: z.strictObject({ id: z.uuid() }) },
  async ({ auth, params }) => ({ notification: await getNotification(auth, params.id) }),
);
