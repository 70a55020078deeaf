import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getDatabase } from "@/server/db";
import { queryRows } from "@/server/db/client";
import type { AppRole, AuthContext } from "./session";
import { isUuid } from "@/lib/uuid";

const RANK: Record<AppRole, number> = { user: 0, staff: 1, admin: 2 };

/**
 * A verified access token as it stands now, or null when its session has ended. Every place that accepts a token
 * (readSession and refreshSession for the proxy and pages, authenticate for the API) calls this once:
 *
 * - **Session**: Supabase Auth deletes the auth.sessions row on sign-out (and on refresh-token reuse, a ban, a
 *   deleted user), but the access token stays valid by its signature until it expires. A token whose session_id is
 *   no longer in auth.sessions (or past its not_after) is refused, so signing out ends it at once. The emulator keeps
 *   its sessions in the same table (drizzle/0008_auth_sessions.sql), so this is one code path in every mode.
 * - **Role**: the lower of what the token says and what user_roles says now. A token carries the role it was issued
 *   with for up to an hour, so a demotion must not wait for it to expire (a demoted admin could otherwise grant the
 *   role back); a promotion does wait for the next token, as RLS reads the token too (docs/auth.md). The database
 *   applies the same rule in public.is_staff() / is_admin() (drizzle/0006).
 *
 * Cost (decision 0014): one query. A customer's token is one primary-key read of auth.sessions; a staff token reads
 * user_roles by primary key in the same statement. It runs on the owner's connection (like the Auth emulator and
 * Supabase Auth itself), since auth.sessions is not granted to the API roles.
 */
export async function currentAuth(auth: AuthContext): Promise<AuthContext | null> {
  if (!auth.sessionId || !isUuid(auth.sessionId)) return null;
  const { db } = await getDatabase();
  const live = sql`exists (select 1 from auth.sessions where id = ${auth.sessionId}::uuid
                             and (not_after is null or not_after > ${clock.now().toISOString()}::timestamptz))`;
  if (auth.role === "user") {
    const [row] = await queryRows<{ live: boolean }>(db, sql`select ${live} as live`);
    return row?.live ? auth : null;
  }
  const [row] = await queryRows<{ live: boolean; role: AppRole | null }>(
    db,
    sql`select ${live} as live, (select role from public.user_roles where user_id = ${auth.userId}::uuid) as role`,
  );
  if (!row?.live) return null;
  const stored: AppRole = row.role ?? "user";
  return RANK[stored] < RANK[auth.role]
    ? { ...auth, role: stored, claims: { ...auth.claims, user_role: stored } }
    : auth;
}
