import { reply } from "@/server/http/route";
import { adminRoute } from "@/server/admin/http";
import { inviteBody, inviteUser, listUsers, userQuery } from "@/server/admin/users";

export const dynamic = "force-dynamic";

const ADMIN_ONLY = ["admin"] as const;

/** Admins only: every account with its role (search by email, filter by role, pages). */
export const GET = adminRoute(
  { route: "/api/admin/users", query: userQuery, roles: ADMIN_ONLY },
  async ({ auth, query }) => listUsers(auth, query),
);

/** Admins only: add a staff member or admin by email (an account without a password; they sign in with a code). */
export const POST = adminRoute(
  { route: "/api/admin/users", body: inviteBody, roles: ADMIN_ONLY },
  async ({ auth, actor, body, requestId }) =>
    reply(201, { user: await inviteUser({ auth, actor, ...body, requestId }) }),
);
