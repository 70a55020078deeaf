import { reply, route } from "@/server/http/route";
import { returnCookie } from "@/lib/return-cookie";
import { customerAccess, guestActor } from "@/server/booking/access";
import { getReservation } from "@/server/booking/read";
import { withIdempotency } from "@/server/idempotency";
import { startCheckout } from "@/server/payments/checkout";
import { reservationParams, tokenQuery } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

/**
 * Starts paying for a held reservation: returns the checkout page to send the customer to (Stripe Checkout, or the
 * sandbox page in the embedded default). Requires an Idempotency-Key; a repeat while the attempt is open returns the
 * same session.
 */
export const POST = route(
  { route: "/api/reservations/[id]/checkout", params: reservationParams, query: tokenQuery },
  async ({ req, params, query, requestId }) => {
    const reservation = await getReservation({ id: params.id }, customerAccess(req, query.token));
    const result = await withIdempotency(
      {
        scope: `reservation:${reservation.id}`,
        key: req.headers.get("idempotency-key"),
        method: "POST",
        path: `/api/reservations/${reservation.id}/checkout`,
        payload: {},
      },
      async () => {
        const checkout = await startCheckout({ reservationId: reservation.id, actor: guestActor(req), requestId });
        return { status: 201, body: { checkout } };
      },
    );
    // The payment page's return URLs carry no token (they are sent to Stripe), so the browser keeps it in a cookie
    // scoped to this reservation's pages.
    const token = query.token ?? req.headers.get("x-manage-token") ?? "";
    const headers: Record<string, string> = { "Set-Cookie": returnCookie(reservation.code, token) };
    if (result.replayed) headers["Idempotency-Replayed"] = "true";
    return reply(result.status, result.body, headers);
  },
);
