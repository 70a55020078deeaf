import { appBaseUrl } from "@/lib/env";
import { reply, route } from "@/server/http/route";
import { actorOf, authenticate } from "@/server/auth/guard";
import { guestActor } from "@/server/booking/access";
import { holdReservation, type HoldResult } from "@/server/booking/hold";
import { withIdempotency } from "@/server/idempotency";
import { holdBody } from "@/lib/schemas/reservations";

export const dynamic = "force-dynamic";

function holdResponse(held: HoldResult) {
  const base = appBaseUrl();
  const token = held.manageToken ? `?token=${held.manageToken}` : "";
  const path = `${base}/reservations/${held.reservation.code}`;
  return {
    reservation: held.reservation,
    next: held.paid ? { type: "pay", url: `${path}/pay${token}` } : { type: "done" },
    manageUrl: `${path}${token}`,
  };
}

/**
 * Hold seats (paid service) or book at once (free service). Requires an Idempotency-Key. A signed-in customer's
 * booking is theirs (user_id, listed at /account); guests book with the manage link alone. Limited per client and
 * per recipient address, and no client or address holds more than its share of unpaid seats (429).
 */
// Seat hoarding and email bombing (docs/security.md): holds per client per minute (counted by the wrapper instead of
// the general api.write), bookings per recipient address, and the held-seat caps inside holdReservation.
export const POST = route(
  { route: "/api/reservations", body: holdBody, rateLimit: "hold.ip" },
  async ({ req, body, requestId, clientIp, limit }) => {
    await limit("booking.email", body.customer.email);
    const auth = await authenticate(req);
    const result = await withIdempotency(
      {
        scope: auth ? `user:${auth.userId}` : "guest",
        key: req.headers.get("idempotency-key"),
        method: "POST",
        path: "/api/reservations",
        payload: body,
      },
      async (record) => {
        const held = await holdReservation({
          slotId: body.slotId,
          quantity: body.quantity,
          customer: body.customer,
          smsConsent: body.smsConsent,
          locale: body.locale,
          userId: auth?.userId,
          actor: auth ? actorOf(auth, req) : guestActor(req),
          clientIp,
          requestId,
          completeWith: (result) => record({ status: 201, body: holdResponse(result) }),
        });
        return { status: 201, body: holdResponse(held) };
      },
    );
    return reply(result.status, result.body, result.replayed ? { "Idempotency-Replayed": "true" } : undefined);
  },
);
