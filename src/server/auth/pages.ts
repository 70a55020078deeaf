import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { readSession, type AppRole, type AuthContext } from "./session";

/**
 * The signed-in person for server components and server actions (once per request), from the session cookie the
 * proxy keeps fresh: session still live and the role as user_roles holds it now (readSession, one query). Null when
 * signed out.
 */
export const getViewer = cache(async (): Promise<AuthContext | null> => {
  const jar = await cookies();
  return readSession({ getAll: () => jar.getAll() });
});

/**
 * The page-level guard (the proxy checked first): signed out → /sign-in?next=<path>; a role not listed → /forbidden.
 * Every /manage page and server action calls it, so a page never renders data for the wrong person even if the
 * proxy's matcher were changed.
 */
export async function requirePageRole(roles: readonly AppRole[], path: string): Promise<AuthContext> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  if (!roles.includes(viewer.role)) redirect("/forbidden");
  return viewer;
}

export const STAFF_ROLES: readonly AppRole[] = ["staff", "admin"];
