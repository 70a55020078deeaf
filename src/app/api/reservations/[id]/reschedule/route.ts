import { route } from "@/server/http/route";
import { customerAccess, guestActor } from "@/server/booking/access";
import { getReservation } from "@/server/booking/read";
import { rescheduleReservation } from "@/server/booking/reschedule";
import { reservationParams, rescheduleBody, tokenQuery } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

export const POST = route(
  { route: "/api/reservations/[id]/reschedule", params: reservationParams, query: tokenQuery, body: rescheduleBody },
  async ({ req, params, query, body, requestId }) => {
    const reservation = await getReservation({ id: params.id }, customerAccess(req, query.token));
    const result = await rescheduleReservation({
      reservationId: reservation.id,
      toSlotId: body.slotId,
      by: "customer",
      actor: guestActor(req),
      requestId,
    });
    return { reservation: result };
  },
);
