import "server-only";
import { eq } from "drizzle-orm";
import { asService } from "@/server/db";
import { userRoles } from "@/server/db/schema";
import type { AppRole, AuthContext } from "./session";

const RANK: Record<AppRole, number> = { user: 0, staff: 1, admin: 2 };

/**
 * The caller's role as the lower of what their token says and what user_roles says now. A token carries the role it
 * was issued with for up to an hour, so a demotion must not wait for it to expire (a demoted admin could otherwise
 * grant the role back); a promotion does wait for the next token, as RLS reads the token too (docs/auth.md).
 * The database applies the same rule in public.is_staff() / is_admin() (drizzle/0006).
 */
export async function withCurrentRole(auth: AuthContext): Promise<AuthContext> {
  if (auth.role === "user") return auth;
  const [row] = await asService((tx) => tx.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, auth.userId)));
  const stored: AppRole = row?.role ?? "user";
  return RANK[stored] < RANK[auth.role] ? { ...auth, role: stored, claims: { ...auth.claims, user_role: stored } } : auth;
}
