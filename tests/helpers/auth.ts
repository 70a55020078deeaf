import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { createAdminAuthClient, createAuthClient } from "@/server/auth/client";
import type { DatabaseHandle } from "@/server/db/client";

export type TestRole = "admin" | "staff" | "user";
export type SignedIn = { userId: string; email: string; token: string; role: TestRole };

/**
 * A fresh account with the given role, signed in through the Auth emulator with the real SDK: its access token
 * carries `user_role` from the custom access token hook, exactly as a browser session's would.
 * Send it as `Authorization: Bearer <token>`, or as the session cookie with sessionCookieHeader().
 */
export async function signedInAs(db: Pick<DatabaseHandle["db"], "execute">, role: TestRole, password = "correct horse battery"): Promise<SignedIn> {
  const email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const created = await createAdminAuthClient().auth.admin.createUser({ email, password, email_confirm: true });
  expect(created.error).toBeNull();
  const userId = created.data.user!.id;
  if (role !== "user") await db.execute(sql`insert into public.user_roles (user_id, role) values (${userId}::uuid, ${role})`);
  const session = await createAuthClient().auth.signInWithPassword({ email, password });
  expect(session.error).toBeNull();
  return { userId, email, token: session.data.session!.access_token, role };
}

export const bearer = (who: SignedIn | null): Record<string, string> => (who ? { authorization: `Bearer ${who.token}` } : {});
