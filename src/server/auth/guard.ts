import "server-only";
import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import type { JwtClaims } from "@/server/db";
import { InvalidAccessTokenError, verifyAccessToken } from "./verify";

export type AppRole = "admin" | "staff" | "user";

/** Who is calling, from a verified Supabase access token: the claims RLS reads (asUser) and the app role. */
export type AuthContext = { userId: string; email: string | null; role: AppRole; claims: JwtClaims };

/**
 * The caller's identity from `Authorization: Bearer <access token>` (API clients; the cookie session of the pages
 * comes with the sign-in pages and feeds the same function). Null when no token is sent; 401 for a bad or expired one.
 */
export async function authenticate(req: NextRequest): Promise<AuthContext | null> {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return null;
  try {
    const claims = await verifyAccessToken(match[1] as string);
    const role: AppRole = claims.user_role === "admin" || claims.user_role === "staff" ? claims.user_role : "user";
    return {
      userId: claims.sub,
      email: claims.email || null,
      role,
      claims: { sub: claims.sub, role: "authenticated", email: claims.email, user_role: role, aud: "authenticated", exp: claims.exp },
    };
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) {
      throw new AppError("unauthorized", error.reason === "expired" ? "The access token has expired; sign in again." : "The access token is not valid.");
    }
    throw error;
  }
}

/** The role check every staff handler makes (the second of three depths: proxy, handler, RLS). */
export async function requireRole(req: NextRequest, roles: readonly AppRole[]): Promise<AuthContext> {
  const auth = await authenticate(req);
  if (!auth) throw new AppError("unauthorized", "Sign in to use this API (Authorization: Bearer <access token>).");
  if (!roles.includes(auth.role)) throw new AppError("forbidden", "Your role may not use this API.");
  return auth;
}
