import { reply, route } from "@/server/http/route";
import { customerAccess, guestActor } from "@/server/booking/access";
import { getReservation } from "@/server/booking/read";
import { resendConfirmation } from "@/server/notifications/resend";
import { reservationParams, tokenQuery } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

/** "Resend my confirmation" from the reservation page: 202, at most 3 an hour per reservation (then 429). */
export const POST = route(
  { route: "/api/reservations/[id]/resend-confirmation", params: reservationParams, query: tokenQuery },
  async ({ req, params, query, requestId }) => {
    const reservation = await getReservation({ id: params.id }, customerAccess(req, query.token));
    const queued = await resendConfirmation({ reservationId: reservation.id, actor: guestActor(req), requestId });
    return reply(202, { queued: true, notificationId: queued.id });
  },
);
