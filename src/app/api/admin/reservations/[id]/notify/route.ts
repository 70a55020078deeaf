import { adminRoute } from "@/server/admin/http";
import { notifyBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { resendReservationNotification, sendStaffMessage } from "@/server/admin/reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";

export const dynamic = "force-dynamic";

/**
 * Staff: send one of this reservation's notifications again (`type: "resend"`), e.g. after a bounce or a corrected
 * address, or send the customer a message of their own (`type: "message"`, email only). Either way a new outbox row;
 * earlier ones stay as they were. Requires a reason and an Idempotency-Key.
 */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/notify", params: reservationIdParams, body: notifyBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => {
      const common = { reservationId: params.id, actor, reason: body.reason, requestId };
      return {
        notification:
          body.type === "resend"
            ? await resendReservationNotification({ ...common, notificationId: body.notificationId })
            : await sendStaffMessage({ ...common, subject: body.subject, message: body.message }),
      };
    }),
);
