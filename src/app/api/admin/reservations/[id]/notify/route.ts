import { adminRoute } from "@/server/admin/http";
import { notifyBody, reservationIdParams } from "@/server/admin/reservation-actions.schema";
import { resendReservationNotification } from "@/server/admin/reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";

export const dynamic = "force-dynamic";

/**
 * Staff: send one of this reservation's notifications again (`type: "resend"`), e.g. after a bounce or a corrected
 * address; a new outbox row, the original stays as it was. Requires a reason and an Idempotency-Key.
 */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/notify", params: reservationIdParams, body: notifyBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => ({
      notification: await resendReservationNotification({ reservationId: params.id, notificationId: body.notificationId, actor, reason: body.reason, requestId }),
    })),
);
