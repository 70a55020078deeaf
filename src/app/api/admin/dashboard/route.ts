import { adminRoute } from "@/server/admin/http";
import { getDashboard } from "@/server/admin/dashboard";

export const dynamic = "force-dynamic";

/** Staff and admins: the /manage dashboard's data (today, next 7 days, holds, failures, refunds, alerts) under RLS. */
export const GET = adminRoute({ route: "/api/admin/dashboard" }, async ({ auth }) => getDashboard(auth));
