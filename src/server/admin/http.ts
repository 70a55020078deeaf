import "server-only";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import {
  authorizedRoute,
  type Reply,
  type RouteContext,
  type RouteHandler,
  type RouteOptions,
} from "@/server/http/route";
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
export function adminRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(
  options: RouteOptions<P, Q, B> & { roles?: readonly AppRole[] },
  handler: (ctx: AdminContext<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Reply | Response | object>,
): RouteHandler {
  const roles = options.roles ?? (["staff", "admin"] as const);
  // One authentication per request: the role check's result is the handler's `auth`, nothing verifies again.
  const authorize = (req: NextRequest) => requireRole(req, roles);
  return authorizedRoute({ ...options, rateLimit: false, authorize }, async (ctx, auth) => {
    // Counted per staff member rather than per address: a shop's staff share one office connection.
    await ctx.limit("admin.user", auth.userId);
    return handler({ ...ctx, auth, actor: actorOf(auth, ctx.req) });
  });
}
