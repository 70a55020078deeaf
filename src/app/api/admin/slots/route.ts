import { reply } from "@/server/http/route";
import { getEnv } from "@/lib/env";
import { adminRoute } from "@/server/admin/http";
import { listCalendarSlots } from "@/server/admin/slots";
import { createSlotBody, slotCalendarQuery } from "@/lib/schemas/admin-slots";
import { wallClockInstant } from "@/server/admin/slots-week";
import { createSlot } from "@/server/booking/slot-admin";

export const dynamic = "force-dynamic";

/** Staff and admins: the slot calendar's data (`from`/`to` days or instants, `to` exclusive), read under RLS. */
export const GET = adminRoute({ route: "/api/admin/slots", query: slotCalendarQuery }, async ({ auth, query }) =>
  listCalendarSlots(auth, query),
);

/** Creates one slot at a wall-clock date and time in the business time zone; 409 when the service has one then. */
export const POST = adminRoute(
  { route: "/api/admin/slots", body: createSlotBody },
  async ({ body, actor, requestId }) => {
    const slot = await createSlot({
      serviceId: body.serviceId,
      startsAt: wallClockInstant(body.date, body.time, getEnv().BUSINESS_TIMEZONE),
      capacity: body.capacity,
      actor,
      reason: body.reason,
      requestId,
    });
    return reply(201, { slot });
  },
);
