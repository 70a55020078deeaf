import { appBaseUrl } from "@/lib/env";
import { reply, route } from "@/lib/http";
import { guestActor } from "@/server/booking/access";
import { holdReservation } from "@/server/booking/hold";
import { withIdempotency } from "@/server/idempotency";
import { holdBody } from "./reservations.schema";

export const dynamic = "force-dynamic";

/** Hold seats (paid service) or book at once (free service). Requires an Idempotency-Key. */
export const POST = route({ route: "/api/reservations", body: holdBody }, async ({ req, body, requestId }) => {
  const result = await withIdempotency(
    { scope: "guest", key: req.headers.get("idempotency-key"), method: "POST", path: "/api/reservations", payload: body },
    async () => {
      const held = await holdReservation({
        slotId: body.slotId,
        quantity: body.quantity,
        customer: body.customer,
        locale: body.locale,
        actor: guestActor(req),
        requestId,
      });
      const base = appBaseUrl();
      const manageUrl = `${base}/reservations/${held.reservation.code}${held.manageToken ? `?token=${held.manageToken}` : ""}`;
      return {
        status: 201,
        body: {
          reservation: held.reservation,
          next: held.paid
            ? { type: "pay", url: `${base}/reservations/${held.reservation.code}/pay${held.manageToken ? `?token=${held.manageToken}` : ""}` }
            : { type: "done" },
          manageUrl,
        },
      };
    },
  );
  return reply(result.status, result.body, result.replayed ? { "Idempotency-Replayed": "true" } : undefined);
});
