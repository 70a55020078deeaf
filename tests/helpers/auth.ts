import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { createAdminAuthClient, createAuthClient } from "@/server/auth/client";
import type { DatabaseHandle } from "@/server/db/client";

export type TestRole = "admin" | "staff" | "user";
export type SignedIn = { userId: string; email: string; token: string; role: TestRole };

/**
 * A fresh account with the given role, signed in through the Auth emulator with the real SDK: its access token
 * carries `user_role` from the custom access token hook, exactly as a browser session's would.
 * Send it as `Authorization: Bearer <token>` (bearer()), or sign in for a session cookie with sessionCookieFor().
 */
export async function signedInAs(
  db: Pick<DatabaseHandle["db"], "execute">,
  role: TestRole,
  password = "correct horse battery",
): Promise<SignedIn> {
  const email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const created = await createAdminAuthClient().auth.admin.createUser({ email, password, email_confirm: true });
  expect(created.error).toBeNull();
  const userId = created.data.user!.id;
  if (role !== "user")
    await db.execute(sql`insert into public.user_roles (user_id, role) values (${userId}::uuid, ${role})`);
  const session = await createAuthClient().auth.signInWithPassword({ email, password });
  expect(session.error).toBeNull();
  return { userId, email, token: session.data.session!.access_token, role };
}

export const bearer = (who: SignedIn | null): Record<string, string> =>
  who ? { authorization: `Bearer ${who.token}` } : {};

/** A cookie jar in memory, as a browser would keep it for the site (optionally filled from a Cookie header). */
export function memoryJar(cookieHeader = "") {
  const store = new Map<string, string>();
  for (const part of cookieHeader.split("; ").filter(Boolean))
    store.set(part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1));
  return {
    store,
    getAll: () => [...store].map(([name, value]) => ({ name, value })),
    setAll: (cookies: { name: string; value: string }[]) => {
      for (const c of cookies) {
        if (c.value) store.set(c.name, c.value);
        else store.delete(c.name);
      }
    },
    /** The Cookie request header for these cookies. */
    header: () => [...store].map(([name, value]) => `${name}=${value}`).join("; "),
  };
}

/**
 * The session cookies a browser holds after signing in with email and password through @supabase/ssr (the same
 * client the sign-in page uses), as a Cookie header value.
 */
export async function sessionCookieFor(email: string, password = "correct horse battery"): Promise<string> {
  const { createSessionClient } = await import("@/server/auth/session");
  const jar = memoryJar();
  const { error } = await createSessionClient(jar).auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  return jar.header();
}
