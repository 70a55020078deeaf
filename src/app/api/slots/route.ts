import { route } from "@/server/http/route";
import { slotsQuery } from "./slots.schema";
import { getModes } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { clock } from "@/lib/clock";
import { listSlots, mockSlots } from "@/server/booking/availability";

export const dynamic = "force-dynamic";

const DAY = 86_400_000;

export const GET = route({ route: "/api/slots", query: slotsQuery }, async ({ query, setDataSource }) => {
  const from = query.from ?? clock.now();
  const to = query.to ?? new Date(from.getTime() + 14 * DAY);
  if (to <= from) {
    throw new AppError("validation_failed", "query.to: must be after from (default: now)", {
      errors: [{ path: "query.to", message: "must be after from (default: now)", code: "custom" }],
    });
  }
  const range = { serviceId: query.serviceId, from, to };
  if (query.source === "mock") {
    if (!getModes().mocksAllowed) {
      throw new AppError("mocks_disabled", "source=mock is only available while ALLOW_DEV_MOCKS is on.");
    }
    setDataSource("mock");
    return { slots: mockSlots(range) };
  }
  return { slots: await listSlots(range) };
});
