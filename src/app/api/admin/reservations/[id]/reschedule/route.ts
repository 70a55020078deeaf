import { adminRoute } from "@/server/admin/http";
import { rescheduleBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";
import { rescheduleReservation } from "@/server/booking/reschedule";

export const dynamic = "force-dynamic";

/**
 * Staff: move the reservation to another open, future slot of the same service (no customer deadline); both slots
 * change in one transaction and the customer is told. Requires a reason and an Idempotency-Key.
 */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/reschedule", params: reservationIdParams, body: rescheduleBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => ({
      reservation: await rescheduleReservation({
        reservationId: params.id,
        toSlotId: body.slotId,
        by: "staff",
        actor,
        reason: body.reason,
        requestId,
      }),
    })),
);
