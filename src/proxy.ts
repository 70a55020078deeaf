import { NextResponse, type NextRequest } from "next/server";
import { getModes } from "@/lib/env";
import { resolveRequestId } from "@/lib/request-id";
import { AuthUnavailableError, authContextFrom, hasSessionCookie, refreshSession, type AppRole, type AuthContext } from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";

/**
 * Runs before every page and before /api/admin/** and /api/dev/**:
 * - gives the request an id (kept from X-Request-Id when valid) that handlers, logs and the response share;
 * - hides the development surface (/api/dev/**, /dev/**) unless mocks are allowed (each dev handler checks again);
 * - keeps the Supabase cookie session fresh (the one place besides the sign-in actions that writes it);
 * - the first of three guards for the staff area (then each handler's role check, then RLS): /manage/** and
 *   /account/** redirect to sign-in without a session; /manage/** sends customers to /forbidden; /api/admin/**
 *   answers 401 / 403 problem+json.
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const requestId = resolveRequestId(req.headers.get("x-request-id"));
  const { pathname } = req.nextUrl;

  if (isDevSurface(pathname) && !mocksAllowed()) {
    return problem(req, requestId, 404, "not_found", "Not found", "No route matches this path.");
  }

  const area = protectedArea(pathname);
  const cookies: { name: string; value: string; options: Record<string, unknown> }[] = [];
  let cacheHeaders: Record<string, string> = {};
  let auth: AuthContext | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  try {
    if (area === "api" && bearer) {
      auth = await verifyAccessToken(bearer).then(authContextFrom, () => null);
    } else if (hasSessionCookie(req.cookies)) {
      auth = await refreshSession({
        getAll: () => req.cookies.getAll(),
        setAll: (toSet, headers) => {
          for (const c of toSet) {
            cookies.push(c);
            // The handler behind this proxy reads the refreshed tokens from its request.
            if (c.value) req.cookies.set(c.name, c.value);
            else req.cookies.delete(c.name);
          }
          cacheHeaders = headers;
        },
      });
    }
  } catch (error) {
    // Auth unreachable (or the database behind the emulator down): the person is not signed out, the service is.
    // Protected areas say so (503, retry); public pages carry on without a session. Anything else is a real fault.
    if (!(error instanceof AuthUnavailableError)) throw error;
    if (area) return problem(req, requestId, 503, "dependency_unavailable", "Service unavailable", "Sign-in is unavailable right now; try again shortly.", 5);
    auth = null;
  }

  if (area) {
    const denied = deny(area, auth, req, requestId);
    if (denied) return withCookies(denied, cookies, cacheHeaders);
  }

  const headers = new Headers(req.headers);
  headers.set("x-request-id", requestId);
  if (cookies.length > 0) headers.set("cookie", req.cookies.toString());
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("X-Request-Id", requestId);
  return withCookies(res, cookies, cacheHeaders);
}

type Area = "manage" | "account" | "api";

function protectedArea(pathname: string): Area | null {
  if (pathname === "/manage" || pathname.startsWith("/manage/")) return "manage";
  if (pathname === "/account" || pathname.startsWith("/account/")) return "account";
  if (pathname === "/api/admin" || pathname.startsWith("/api/admin/")) return "api";
  return null;
}

const STAFF: readonly AppRole[] = ["staff", "admin"];

function deny(area: Area, auth: AuthContext | null, req: NextRequest, requestId: string): NextResponse | null {
  if (area === "api") {
    if (!auth) return problem(req, requestId, 401, "unauthorized", "Unauthorized", "Sign in to use this API (session cookie or Authorization: Bearer <access token>).");
    if (!STAFF.includes(auth.role)) return problem(req, requestId, 403, "forbidden", "Forbidden", "Your role may not use this API.");
    return null;
  }
  if (!auth) {
    const url = new URL("/sign-in", req.url);
    url.searchParams.set("next", req.nextUrl.pathname + req.nextUrl.search);
    const res = NextResponse.redirect(url, 303);
    res.headers.set("X-Request-Id", requestId);
    return res;
  }
  if (area === "manage" && !STAFF.includes(auth.role)) {
    // A redirect, not a rewrite with status 403: `next start` serves a rewritten page with 200 whatever status the
    // proxy asked for, so the page's own address is the honest answer. The data never reaches the browser either way.
    const res = NextResponse.redirect(new URL("/forbidden", req.url), 303);
    res.headers.set("X-Request-Id", requestId);
    return res;
  }
  return null;
}

function problem(
  req: NextRequest,
  requestId: string,
  status: number,
  code: string,
  title: string,
  detail: string,
  retryAfterSeconds?: number,
): NextResponse {
  const api = req.nextUrl.pathname.startsWith("/api/");
  const body = api ? JSON.stringify({ type: `/docs/http-errors#${code}`, title, status, detail, code, requestId }) : status === 404 ? title : detail;
  return new NextResponse(body, {
    status,
    headers: {
      "Content-Type": api ? "application/problem+json" : "text/plain; charset=utf-8",
      "X-Request-Id": requestId,
      "Cache-Control": "no-store",
      ...(retryAfterSeconds ? { "Retry-After": String(retryAfterSeconds) } : {}),
    },
  });
}

function withCookies(
  res: NextResponse,
  cookies: { name: string; value: string; options: Record<string, unknown> }[],
  headers: Record<string, string>,
): NextResponse {
  for (const c of cookies) res.cookies.set(c.name, c.value, c.options);
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}

function isDevSurface(pathname: string): boolean {
  return pathname === "/dev" || pathname.startsWith("/dev/") || pathname === "/api/dev" || pathname.startsWith("/api/dev/");
}

function mocksAllowed(): boolean {
  try {
    return getModes().mocksAllowed;
  } catch {
    return false;
  }
}

/**
 * API routes other than /api/dev and /api/admin are left out: the route wrapper gives them their request id itself,
 * and skipping the proxy there saves a measurable share of every API request (bench/booking-http.ts).
 */
export const config = {
  matcher: ["/api/dev/:path*", "/api/admin/:path*", "/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
