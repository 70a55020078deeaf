import { route } from "@/server/http/route";
import { customerAccess } from "@/server/booking/access";
import { getReservation } from "@/server/booking/read";
import { reservationParams, tokenQuery } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

export const GET = route(
  { route: "/api/reservations/[id]", params: reservationParams, query: tokenQuery },
  async ({ req, params, query }) => ({
    reservation: await getReservation({ id: params.id }, customerAccess(req, query.token)),
  }),
);
