import { adminRoute } from "@/server/admin/http";
import { acceptLatePaymentBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { acceptReservationLatePayment } from "@/server/admin/reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";

export const dynamic = "force-dynamic";

/**
 * Staff: keep a payment that arrived after the hold expired (LATE_PAYMENT_POLICY=manual): the seats are taken back
 * if still free and the reservation is confirmed; 409 sold_out when they are gone (refund it instead). Requires a
 * reason and an Idempotency-Key.
 */
export const POST = adminRoute(
  {
    route: "/api/admin/reservations/[id]/accept-late-payment",
    params: reservationIdParams,
    body: acceptLatePaymentBody,
  },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => ({
      reservation: await acceptReservationLatePayment({
        reservationId: params.id,
        actor,
        reason: body.reason,
        requestId,
      }),
    })),
);
