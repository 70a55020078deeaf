import { adminRoute } from "@/server/admin/http";
import { reservationQuery } from "@/server/admin/reservation-query";
import { searchReservations } from "@/server/admin/reservations";

export const dynamic = "force-dynamic";

/**
 * Staff and admins: the reservation list every /manage page uses. The role is checked before the query is parsed
 * (401 without a session, 403 for customers), and the list runs as the caller under RLS.
 */
export const GET = adminRoute({ route: "/api/admin/reservations", query: reservationQuery }, async ({ auth, query }) =>
  searchReservations(auth, query),
);
