import { adminRoute } from "@/server/admin/http";
import { slotIdParams, updateSlotBody } from "@/lib/schemas/admin-slots";
import { updateSlot } from "@/server/booking/slot-admin";

export const dynamic = "force-dynamic";

/**
 * Capacity and status (close, reopen, cancel) of one slot, with the reason for the audit row. Capacity below the seats
 * already reserved is 409 capacity_below_reserved; cancelling a slot that still has reservations is 409 invalid_state.
 */
export const PATCH = adminRoute(
  { route: "/api/admin/slots/[id]", params: slotIdParams, body: updateSlotBody },
  async ({ params, body, actor, requestId }) => ({
    slot: await updateSlot({
      slotId: params.id,
      capacity: body.capacity,
      status: body.status,
      reason: body.reason,
      actor,
      requestId,
    }),
  }),
);
