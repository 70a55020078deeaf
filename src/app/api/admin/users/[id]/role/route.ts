import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { roleChangeBody, setUserRole } from "@/server/admin/users";

export const dynamic = "force-dynamic";

/**
 * Admins only: grant or change a person's role (admin / staff / user), with a reason in the audit log. 409 when it
 * would leave no admin. The person's access token carries the new role from its next refresh.
 */
export const POST = adminRoute(
  {
    route: "/api/admin/users/[id]/role",
    params: z.strictObject({ id: z.uuid() }),
    body: roleChangeBody,
    roles: ["admin"],
  },
  async ({ auth, actor, params, body, requestId }) => ({
    change: await setUserRole({ auth, actor, userId: params.id, role: body.role, reason: body.reason, requestId }),
  }),
);
