import { adminRoute } from "@/server/admin/http";
import { refundBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { refundReservationPayment } from "@/server/admin/reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";

export const dynamic = "force-dynamic";

/**
 * Staff: refund part or all of what remains of the reservation's captured payment without cancelling it (a goodwill
 * or correction refund). Requires a reason and an Idempotency-Key; the key also becomes the refund ledger's key, so
 * the gateway is asked once. 409 when nothing is left to refund.
 */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/refund", params: reservationIdParams, body: refundBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, () =>
      refundReservationPayment({
        reservationId: params.id,
        amount: body.amount,
        paymentId: body.paymentId,
        actor,
        reason: body.reason,
        requestId,
        idempotencyKey: `staff:${auth.userId}:${req.headers.get("idempotency-key") ?? ""}`,
      }),
    ),
);
