import { adminRoute } from "@/server/admin/http";
import { listStaffServices } from "@/server/admin/slots";

export const dynamic = "force-dynamic";

/** Staff and admins: every service, inactive ones too, for the /manage pickers (read under RLS). */
export const GET = adminRoute({ route: "/api/admin/services" }, async ({ auth }) => ({
  services: await listStaffServices(auth),
}));
