import { adminRoute } from "@/server/admin/http";
import { cancelBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";
import { cancelReservation } from "@/server/booking/cancel";

export const dynamic = "force-dynamic";

/**
 * Staff: cancel at any time (no customer deadline) with a full, partial or no refund; the seats go back and the
 * customer is told. Requires a reason and an Idempotency-Key; 409 when the reservation is no longer held or confirmed.
 */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/cancel", params: reservationIdParams, body: cancelBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => ({
      reservation: await cancelReservation({
        reservationId: params.id,
        by: "staff",
        refund: body.refund,
        actor,
        reason: body.reason,
        requestId,
      }),
    })),
);
