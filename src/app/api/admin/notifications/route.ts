import { adminRoute } from "@/server/admin/http";
import { notificationQuery, searchNotifications } from "@/server/admin/notifications-log";

export const dynamic = "force-dynamic";

/** Staff and admins: the notifications log (status, channel, kind, recipient, date range, pages) under RLS. */
export const GET = adminRoute(
  { route: "/api/admin/notifications", query: notificationQuery },
  async ({ auth, query }) => searchNotifications(auth, query),
);
