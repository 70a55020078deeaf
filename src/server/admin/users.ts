import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { blank, containsPattern, pageFields, searchText } from "@/server/admin/list-query";
import { reasonField } from "@/lib/reason";
import { text } from "@/lib/text";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { createAdminAuthClient } from "@/server/auth/client";
import type { AuthContext } from "@/server/auth/guard";
import { asUser, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { appRoles, type AppRole } from "@/server/db/schema";
import { emailsOf } from "./audit-log";

/**
 * Users and roles (/manage/users and /api/admin/users*, admins only). Three guards: the route's role check, Row Level
 * Security (every read and write here runs as the signed-in admin through asUser: user_roles lets only admins write,
 * audit_log only rows naming the caller), and the database's rule that one admin always remains
 * (drizzle/0005_last_admin_guard.sql), which the verbs check first to answer a clear 409.
 * A new role reaches the person's access token at its next refresh (the custom access token hook reads user_roles),
 * so within the hour at the latest; their current token keeps the old role until then.
 */

export const userQuery = z.strictObject({
  q: searchText(320),
  role: blank(z.enum(appRoles).optional()),
  ...pageFields,
});
export type UserQuery = z.infer<typeof userQuery>;

export const roleChangeBody = z.strictObject({ role: z.enum(appRoles), reason: reasonField });
export const revokeBody = z.strictObject({ reason: reasonField });
export const inviteBody = z.strictObject({
  email: text({ max: 254 }).pipe(z.email()),
  role: z.enum(["staff", "admin"]),
  reason: reasonField,
});

export type UserRow = {
  id: string;
  email: string | null;
  role: AppRole;
  grantedBy: { id: string; email: string | null } | null;
  roleSince: string | null;
  createdAt: string | null;
  lastSignInAt: string | null;
};

/**
 * A row of public.admin_list_users(): raw SQL earns its place here, the function is the security-definer view of
 * auth.users that staff may read. Raw rows are not decoded by Drizzle, so timestamps arrive as text and the bigint
 * total as text on postgres.js but a number on PGlite: typed as what arrives, converted below.
 */
type Row = {
  id: string;
  email: string | null;
  role: AppRole;
  granted_by: string | null;
  role_since: string | null;
  created_at: string | null;
  last_sign_in_at: string | null;
  total: string | number;
};

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);

export async function listUsers(
  auth: AuthContext,
  query: UserQuery,
): Promise<{ users: UserRow[]; total: number; page: number; pageSize: number }> {
  return asUser(auth.claims, async (tx) => {
    const rows = await queryRows<Row>(
      tx,
      sql`select * from public.admin_list_users(${query.q ? containsPattern(query.q) : null}, ${query.role ?? null},
                                               ${query.pageSize}, ${(query.page - 1) * query.pageSize})`,
    );
    const granters = await emailsOf(
      tx,
      rows.flatMap((r) => (r.granted_by ? [r.granted_by] : [])),
    );
    const total = rows[0] ? Number(rows[0].total) : query.page === 1 ? 0 : await countUsers(tx, query);
    return {
      total,
      page: query.page,
      pageSize: query.pageSize,
      users: rows.map((r) => ({
        id: r.id,
        email: r.email,
        role: r.role,
        grantedBy: r.granted_by ? { id: r.granted_by, email: granters.get(r.granted_by) ?? null } : null,
        roleSince: iso(r.role_since),
        createdAt: iso(r.created_at),
        lastSignInAt: iso(r.last_sign_in_at),
      })),
    };
  });
}

/** A page past the end has no row to carry the count. */
async function countUsers(tx: Tx, query: UserQuery): Promise<number> {
  const [row] = await queryRows<{ total: string | number }>(
    tx,
    sql`select total from public.admin_list_users(${query.q ? containsPattern(query.q) : null}, ${query.role ?? null}, 1, 0)`,
  );
  return row ? Number(row.total) : 0;
}

export type RoleChange = { userId: string; email: string | null; before: AppRole; after: AppRole; changed: boolean };

const LAST_ADMIN = "At least one admin must remain: make another user an admin first.";

/**
 * Grants, changes or revokes (role "user": the user_roles row goes) one person's role, with the audit row in the
 * same transaction. Setting the role a person already has changes nothing and writes nothing.
 */
export async function setUserRole(input: {
  auth: AuthContext;
  actor: Actor;
  userId: string;
  role: AppRole;
  reason: string;
  requestId: string;
  invited?: boolean;
}): Promise<RoleChange> {
  try {
    return await asUser(input.auth.claims, async (tx) => {
      // Every writer of user_roles takes this lock (the table's statement trigger does too), so the role read below
      // and the admin count cannot change under this transaction.
      await tx.execute(sql`select public.lock_user_roles()`);
      // While this waited for the lock another admin may have removed the caller's own role (two admins demoting each
      // other at once): from here on the database no longer treats them as an admin, so say so plainly.
      const [still] = await queryRows<{ admin: boolean }>(tx, sql`select public.is_admin() as admin`);
      if (!still?.admin) throw new AppError("forbidden", REMOVED_WHILE_WAITING);
      const email = (await emailsOf(tx, [input.userId])).get(input.userId);
      if (!email) throw new AppError("not_found", "No such user.");
      const [current] = await queryRows<{ role: AppRole }>(
        tx,
        sql`select role from public.user_roles where user_id = ${input.userId}::uuid`,
      );
      const before = current?.role ?? "user";
      if (before === input.role) return { userId: input.userId, email, before, after: before, changed: false };
      if (before === "admin") {
        const [admins] = await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from public.user_roles where role = 'admin'`,
        );
        if ((admins?.n ?? 0) <= 1) throw new AppError("conflict", LAST_ADMIN);
      }
      // The audit row goes first: an admin stepping down is no longer staff once the change is made, and RLS lets only
      // staff append to the log. Same transaction, so neither commits without the other.
      await writeAudit(tx, {
        actor: input.actor,
        action: input.role === "user" ? "role.revoked" : "role.granted",
        entityType: "user",
        entityId: input.userId,
        before: { role: before },
        after: { role: input.role, email, ...(input.invited ? { invited: true } : {}) },
        reason: input.reason,
        requestId: input.requestId,
      });
      if (input.role === "user") {
        await tx.execute(sql`delete from public.user_roles where user_id = ${input.userId}::uuid`);
      } else {
        await tx.execute(
          sql`insert into public.user_roles (user_id, role, granted_by) values (${input.userId}::uuid, ${input.role}, ${input.auth.userId}::uuid)
              on conflict (user_id) do update set role = excluded.role, granted_by = excluded.granted_by, created_at = now()`,
        );
      }
      return { userId: input.userId, email, before, after: input.role, changed: true };
    });
  } catch (error) {
    // The database's own rule, hit when another admin's change committed between our check and our write.
    if (isLastAdminViolation(error)) throw new AppError("conflict", LAST_ADMIN, { cause: error });
    // The database no longer counts the caller as an admin (another admin demoted them a moment ago): RLS or
    // lock_user_roles() refused the statement.
    if (pgCodeOf(error) === "42501") throw new AppError("forbidden", REMOVED_WHILE_WAITING, { cause: error });
    throw error;
  }
}

const REMOVED_WHILE_WAITING = "Your admin role was removed while this change waited; nothing was changed.";

function pgCodeOf(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const c = e as { code?: unknown; cause?: unknown };
    if (typeof c.code === "string" && /^[0-9A-Z]{5}$/.test(c.code)) return c.code;
    e = c.cause;
  }
  return undefined;
}

function isLastAdminViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const c = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown };
    if (c.code === "23514" && (c.constraint === "user_roles_one_admin" || c.constraint_name === "user_roles_one_admin"))
      return true;
    e = c.cause;
  }
  return false;
}

/**
 * Adds a staff member or admin by email through the Supabase Auth admin API (createUser, confirmed, no password):
 * they sign in with a one-time code sent to that address. The same call works on a real project and the emulator.
 * If the role cannot be recorded, the new account is removed again so a retry starts clean.
 */
export async function inviteUser(input: {
  auth: AuthContext;
  actor: Actor;
  email: string;
  role: "staff" | "admin";
  reason: string;
  requestId: string;
}): Promise<RoleChange> {
  const admin = createAdminAuthClient();
  const { data, error } = await admin.auth.admin.createUser({ email: input.email, email_confirm: true });
  if (error || !data.user) {
    if (error?.code === "email_exists") {
      throw new AppError("conflict", "This address already has an account: change its role in the list instead.");
    }
    if (error?.status && error.status >= 400 && error.status < 500) {
      throw new AppError("validation_failed", `The sign-in service refused the address: ${error.message}`, {
        errors: [{ path: "body.email", message: error.message }],
      });
    }
    throw new AppError("dependency_unavailable", "The sign-in service did not create the account; try again shortly.", {
      retryAfterSeconds: 5,
      internalDetail: `${error?.status ?? "?"} ${error?.code ?? ""} ${error?.message ?? "no user returned"}`,
    });
  }
  const userId = data.user.id;
  try {
    return await setUserRole({ ...input, userId, invited: true });
  } catch (roleError) {
    const removed = await admin.auth.admin.deleteUser(userId);
    if (removed.error)
      logger.error(
        { event: "users.invite_cleanup_failed", userId, requestId: input.requestId },
        "could not remove the half-created account",
      );
    throw roleError;
  }
}
