import "server-only";
import type { NextRequest } from "next/server";
import { appBaseUrl, getModes } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/audit";
import { clientIp } from "@/server/security/client-ip";
import { currentAuth } from "./roles";
import { authContextFrom, readSession, type AppRole, type AuthContext } from "./session";
import { InvalidAccessTokenError, verifyAccessToken } from "./verify";

export type { AppRole, AuthContext } from "./session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The caller's identity: `Authorization: Bearer <access token>` (API clients), else the page session cookie (the
 * /manage screens call the admin API with it). Null when neither is sent; 401 for a bad or expired bearer token or one
 * whose session has ended (signed out). Either way the role is the one user_roles holds now (currentAuth: one query).
 * A cookie-authenticated request that changes something must come from this site (Origin or Sec-Fetch-Site), and
 * none may be cross-site, so another site cannot ride a staff member's cookie (the cookie is also SameSite=Lax).
 */
export async function authenticate(req: NextRequest): Promise<AuthContext | null> {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match) {
    let token: AuthContext;
    try {
      token = authContextFrom(await verifyAccessToken(match[1] as string));
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) {
        throw new AppError(
          "unauthorized",
          error.reason === "expired"
            ? "The access token has expired; sign in again."
            : "The access token is not valid.",
        );
      }
      throw error;
    }
    const current = await currentAuth(token);
    if (!current) throw new AppError("unauthorized", "This session has ended (signed out); sign in again.");
    return current;
  }
  const auth = await readSession({ getAll: () => req.cookies.getAll() });
  if (auth && !SAFE_METHODS.has(req.method) && !sameOrigin(req)) {
    throw new AppError("forbidden", "This request did not come from this site.");
  }
  // A link on another site must not make a signed-in browser fetch data either (a CSV export is a GET).
  if (auth && req.headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("forbidden", "This request did not come from this site.");
  }
  return auth;
}

/**
 * Whether a cookie-authenticated change comes from this site: `Sec-Fetch-Site: same-origin` (every current browser
 * sends it), else an `Origin` equal to APP_BASE_URL's origin, scheme and port included (http://book.example.com is
 * not https://book.example.com). Host headers are not consulted: X-Forwarded-Host is whatever the client says. While
 * mocks are allowed, loopback origins (any port) count too, for `npm run dev` and tests on localhost.
 */
export function sameOrigin(req: { headers: { get(name: string): string | null } }): boolean {
  const fetchSite = req.headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite === "same-origin";
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === new URL(appBaseUrl()).origin) return true;
  return (
    getModes().mocksAllowed &&
    (parsed.protocol === "http:" || parsed.protocol === "https:") &&
    LOOPBACK_HOSTS.has(parsed.hostname)
  );
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The role check every staff handler makes (the second of three depths: proxy, handler, RLS), with the role as it
 * stands in user_roles now (a demotion applies at once, not when the token expires).
 */
export async function requireRole(req: NextRequest, roles: readonly AppRole[]): Promise<AuthContext> {
  const auth = await authenticate(req);
  if (!auth)
    throw new AppError(
      "unauthorized",
      "Sign in to use this API (session cookie or Authorization: Bearer <access token>).",
    );
  if (!roles.includes(auth.role)) throw new AppError("forbidden", "Your role may not use this API.");
  return auth;
}

/** The audit actor for a signed-in operator: who, with which role, from which address. */
export function actorOf(auth: AuthContext, req: NextRequest): Actor {
  return { kind: "user", id: auth.userId, role: auth.role, ip: clientIp(req) };
}
