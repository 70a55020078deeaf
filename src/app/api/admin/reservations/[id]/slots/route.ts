import { adminRoute } from "@/server/admin/http";
import { reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { listRescheduleOptions } from "@/server/admin/reservation-options";

export const dynamic = "force-dynamic";

/** Staff and admins: the open future slots of the same service with enough seats to move this reservation to. */
export const GET = adminRoute(
  { route: "/api/admin/reservations/[id]/slots", params: reservationIdParams },
  async ({ auth, params }) => ({
    slots: await listRescheduleOptions(auth, params.id),
  }),
);
