import { route } from "@/server/http/route";
import { customerAccess, guestActor } from "@/server/booking/access";
import { cancelReservation } from "@/server/booking/cancel";
import { getReservation } from "@/server/booking/read";
import { cancelBody, reservationParams, tokenQuery } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

export const POST = route(
  { route: "/api/reservations/[id]/cancel", params: reservationParams, query: tokenQuery, body: cancelBody },
  async ({ req, params, query, body, requestId }) => {
    const reservation = await getReservation({ id: params.id }, customerAccess(req, query.token));
    const result = await cancelReservation({
      reservationId: reservation.id,
      by: "customer",
      actor: guestActor(req),
      reason: body.reason,
      requestId,
    });
    return { reservation: result };
  },
);
