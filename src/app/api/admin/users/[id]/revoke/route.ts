import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { revokeBody, setUserRole } from "@/server/admin/users";

export const dynamic = "force-dynamic";

/** Admins only: take a person's staff or admin role away (back to user), with a reason; 409 for the last admin. */
export const POST = adminRoute(
  {
    route: "/api/admin/users/[id]/revoke",
    params: z.strictObject({ id: z.uuid() }),
    body: revokeBody,
    roles: ["admin"],
  },
  async ({ auth, actor, params, body, requestId }) => ({
    change: await setUserRole({ auth, actor, userId: params.id, role: "user", reason: body.reason, requestId }),
  }),
);
