import { reply } from "@/server/http/route";
import { adminRoute } from "@/server/admin/http";
import { listSlotRules, ruleResponse } from "@/server/admin/slots";
import { createRulesBody, ruleQuery } from "@/lib/schemas/admin-slots";
import { createSlotRules } from "@/server/booking/slot-rules";

export const dynamic = "force-dynamic";

/** Staff and admins: the weekly rules (optionally of one service), read under RLS. */
export const GET = adminRoute({ route: "/api/admin/slot-rules", query: ruleQuery }, async ({ auth, query }) => ({
  rules: await listSlotRules(auth, query),
}));

/** One rule per weekday × start time, all or none (409 when an active rule already covers one of them). */
export const POST = adminRoute(
  { route: "/api/admin/slot-rules", body: createRulesBody },
  async ({ body, actor, requestId }) => {
    const { weekdays, startTimes, reason, ...rest } = body;
    const rules = await createSlotRules({ ...rest, weekdays, startTimes, actor, reason, requestId });
    return reply(201, { rules: rules.map(ruleResponse) });
  },
);
