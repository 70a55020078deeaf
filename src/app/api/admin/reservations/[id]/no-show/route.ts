import { adminRoute } from "@/server/admin/http";
import { noShowBody, reservationIdParams } from "@/lib/schemas/admin-reservation-actions";
import { idempotentAction } from "@/server/admin/reservation-idempotency";
import { markNoShow } from "@/server/booking/no-show";

export const dynamic = "force-dynamic";

/** Staff: a confirmed reservation whose slot has started, and nobody came. Requires a reason and an Idempotency-Key. */
export const POST = adminRoute(
  { route: "/api/admin/reservations/[id]/no-show", params: reservationIdParams, body: noShowBody },
  async ({ req, auth, actor, requestId, params, body }) =>
    idempotentAction({ req, auth, body }, async () => ({
      reservation: await markNoShow({ reservationId: params.id, actor, reason: body.reason, requestId }),
    })),
);
