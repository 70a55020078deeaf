import { adminRoute } from "@/server/admin/http";
import { ruleResponse } from "@/server/admin/slots";
import { deleteRuleBody, slotIdParams, updateRuleBody } from "@/lib/schemas/admin-slots";
import { deleteSlotRule, setSlotRuleActive } from "@/server/booking/slot-rules";

export const dynamic = "force-dynamic";

/** Pauses or resumes a rule (`active`); slots it already generated are left as they are. */
export const PATCH = adminRoute(
  { route: "/api/admin/slot-rules/[id]", params: slotIdParams, body: updateRuleBody },
  async ({ params, body, actor, requestId }) => ({
    rule: ruleResponse(
      await setSlotRuleActive({ ruleId: params.id, active: body.active, reason: body.reason, actor, requestId }),
    ),
  }),
);

/** Deletes a rule (the reason goes in the JSON body); slots it generated stay, with their reservations. */
export const DELETE = adminRoute(
  { route: "/api/admin/slot-rules/[id]", params: slotIdParams, body: deleteRuleBody },
  async ({ params, body, actor, requestId }) => ({
    deleted: ruleResponse(await deleteSlotRule({ ruleId: params.id, reason: body.reason, actor, requestId })),
  }),
);
