import { adminRoute } from "@/server/admin/http";
import { generateBody } from "@/lib/schemas/admin-slots";
import { generateSlotsFromRules } from "@/server/booking/slot-rules";

export const dynamic = "force-dynamic";

/**
 * "Generate now": slots from the active rules for the next `days` days (optionally one service). Idempotent, so the
 * answer's `created` counts only new slots; `considered` includes the ones that already existed.
 */
export const POST = adminRoute(
  { route: "/api/admin/slot-rules/generate", body: generateBody },
  async ({ body, actor, requestId }) =>
    generateSlotsFromRules({ days: body.days, serviceId: body.serviceId, actor, reason: body.reason, requestId }),
);
