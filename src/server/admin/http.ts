import "server-only";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { route, type Reply, type RouteContext, type RouteOptions } from "@/server/http/route";
import type { Actor } from "@/server/audit";
import { actorOf, requireRole, type AppRole, type AuthContext } from "@/server/auth/guard";

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export type AdminContext<P, Q, B> = RouteContext<P, Q, B> & {
  /** The verified caller; `auth.claims` is what asUser runs with (RLS). */
  auth: AuthContext;
  /** For audit rows: who, with which role, from which IP (the request id is `requestId`). */
  actor: Actor;
};

/**
 * Every /api/admin/** route goes through this: the role check runs before anything is parsed (401 without a session,
 * 403 for a role not listed), then the usual route wrapper (zod, problem+json, request id, log line), then the
 * admin.user rate limit. Staff and admins by default; pass `roles: ["admin"]` for admin-only routes (users and roles).
 */
export function adminRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  options: RouteOptions<P, Q, B> & { roles?: readonly AppRole[] },
  handler: (ctx: AdminContext<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Reply | Response | object>,
): (req: NextRequest, context?: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response> {
  const roles = options.roles ?? (["staff", "admin"] as const);
  // The guard authenticates once per request; the handler reuses what it found.
  const verified = new WeakMap<NextRequest, AuthContext>();
  const guard = async (req: NextRequest) => {
    verified.set(req, await requireRole(req, roles));
  };
  return route({ ...options, rateLimit: false, guards: [guard, ...(options.guards ?? [])] }, async (ctx) => {
    const auth = verified.get(ctx.req) ?? (await requireRole(ctx.req, roles));
    // Counted per staff member rather than per address: a shop's staff share one office connection.
    await ctx.limit("admin.user", auth.userId);
    return handler({ ...ctx, auth, actor: actorOf(auth, ctx.req) });
  });
}
