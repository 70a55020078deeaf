import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "@/server/audit";
import { readSession, type AppRole, type AuthContext } from "./session";

/**
 * The signed-in person for server components and server actions (once per request), from the session cookie the
 * proxy keeps fresh. Null when signed out.
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

/** The audit actor inside a server action (IP from the first proxy's X-Forwarded-For). */
export async function pageActor(viewer: AuthContext): Promise<Actor> {
  const h = await headers();
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || undefined;
  return { kind: "user", id: viewer.userId, role: viewer.role, ip };
}

/** The request id the proxy gave this request (for audit rows written by server actions). */
export async function pageRequestId(): Promise<string | undefined> {
  return (await headers()).get("x-request-id") ?? undefined;
}
