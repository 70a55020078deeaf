import { adminRoute } from "@/server/admin/http";
import { reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { getReservationDetail } from "@/server/admin/reservation-detail";

export const dynamic = "force-dynamic";

/** Staff and admins: one reservation with its payments, refunds, notifications, webhook events and timeline (RLS). */
export const GET = adminRoute(
  { route: "/api/admin/reservations/[id]", params: reservationIdParams },
  async ({ auth, params }) => getReservationDetail(auth, params.id),
);
