// Long on purpose: Next.js takes one proxy file; it is a sequence of small checks (hosts, malformed paths, dev
// surface, sessions, security headers) in the order they run.
import { NextResponse, type NextRequest } from "next/server";
import { getConfig, getModes } from "@/lib/env";
import { errorCatalog, type ErrorCode } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { resolveRequestId } from "@/lib/request-id";
import {
  AuthUnavailableError,
  authContextFrom,
  hasSessionCookie,
  refreshSession,
  type AppRole,
  type AuthContext,
} from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";
import { createNonce, LOCKED_DOWN_CSP, pageContentSecurityPolicy, securityHeaders } from "@/server/security/headers";
import { hostPolicy, isHostExempt, originAllowed, refuseHost, type HostPolicy } from "@/server/security/hosts";

/**
 * Runs before every request except static assets (see `config` below), in this order:
 * - gives the request an id (kept from X-Request-Id when valid) that handlers, logs and the response share;
 * - refuses a path whose percent-encoding does not decode (400 problem+json for /api, a 404 page otherwise), which
 *   Next.js would answer with a bare 500;
 * - refuses a Host or X-Forwarded-Host outside ALLOWED_BASE_HOSTS (400), except on /api/health, /api/ping and /api/metrics, and,
 *   in a production build with mocks allowed, any non-loopback host or client (403 mocks_local_only);
 * - refuses a write to a page path (a server action) whose Origin is not this site (403; Next.js would answer 500);
 * - hides the development surface (/api/dev/**, /dev/**) unless mocks are allowed (each dev handler checks again);
 * - puts the security headers on every response, and on pages a Content-Security-Policy with a fresh nonce, which
 *   Next.js reads from the request's copy of the header and writes onto every script it renders;
 * - keeps the Supabase cookie session fresh (the one place besides the sign-in actions that writes it);
 * - the first of three guards for the staff area (then each handler's role check, then RLS): /manage/** and
 *   /account/** redirect to sign-in without a session; /manage/** sends customers to /forbidden; /api/admin/**
 *   answers 401 / 403 problem+json.
 * API routes other than /api/admin and /api/dev take a fast path: no session work, only the checks and headers.
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const requestId = resolveRequestId(req.headers.get("x-request-id"));
  const { pathname } = req.nextUrl;
  const api = isApiPath(pathname);
  const policy = hostPolicy();
  const refuse = (refusal: Refusal) => refusalResponse(refusal, api, requestId, policy);

  if (!decodable(pathname)) {
    logger.warn(
      { event: "http.malformed_path", requestId, method: req.method, path: clip(pathname) },
      "path with malformed percent-encoding refused",
    );
    return api
      ? refuse({ status: 400, code: "bad_request", detail: "The path is not valid percent-encoded UTF-8." })
      : refuse({ status: 404, code: "not_found", detail: "ページが見つかりません。 / Page not found." });
  }

  const hostRefusal = refuseHost(req, policy, isHostExempt(pathname));
  if (hostRefusal) {
    const { code, source, value, status } = hostRefusal;
    logger.warn(
      { event: "host.refused", requestId, code, source, value: clip(value), method: req.method, path: clip(pathname) },
      "request refused for its host",
    );
    return refuse({
      status,
      code,
      detail:
        code === "host_not_allowed"
          ? "このホスト名では応答しません。 / This server does not answer for that host name."
          : "この開発用サーバーは同じマシンからの接続のみ受け付けます。 / This development server answers this machine only (ALLOW_DEV_MOCKS_REMOTE=true opts in).",
    });
  }

  if (!api && isWrite(req.method)) {
    const origin = req.headers.get("origin");
    if (origin !== null && !originAllowed(origin, req, policy)) {
      logger.warn(
        {
          event: "origin.refused",
          requestId,
          origin: clip(origin),
          method: req.method,
          path: clip(pathname),
          action: req.headers.has("next-action"),
        },
        "cross-origin write to a page refused",
      );
      return refusalResponse(
        { status: 403, code: "forbidden", detail: "Cross-origin requests to this page are not allowed." },
        true,
        requestId,
        policy,
      );
    }
  }

  if (isDevSurface(pathname) && !mocksAllowed()) {
    return problem(req, requestId, 404, "not_found", "Not found", "No route matches this path.");
  }

  if (api && !protectedArea(pathname) && !isDevSurface(pathname)) return passOn(req, requestId, policy, null);

  const area = protectedArea(pathname);
  const cookies: { name: string; value: string; options: Record<string, unknown> }[] = [];
  let cacheHeaders: Record<string, string> = {};
  let auth: AuthContext | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  try {
    if (area === "api" && bearer) {
      auth = await verifyAccessToken(bearer).then(authContextFrom, () => null);
    } else if (hasSessionCookie(req.cookies)) {
      // /api/admin: the proxy's guard reads the verified token's claims only, as for a bearer token; the session and
      // role read (one user_roles query) is adminRoute's, once per request (decision 0014).
      auth = await refreshSession(
        {
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
        },
        { checkCurrent: area !== "api" },
      );
    }
  } catch (error) {
    // Auth unreachable (or the database behind the emulator down): the person is not signed out, the service is.
    // Protected areas say so (503, retry); public pages carry on without a session. Anything else is a real fault.
    if (!(error instanceof AuthUnavailableError)) throw error;
    if (area)
      return problem(
        req,
        requestId,
        503,
        "dependency_unavailable",
        "Service unavailable",
        "Sign-in is unavailable right now; try again shortly.",
        5,
      );
    auth = null;
  }

  if (area) {
    const denied = deny(area, auth, req, requestId);
    if (denied) return withCookies(denied, cookies, cacheHeaders);
  }

  const res = passOn(req, requestId, policy, api ? null : createNonce(), cookies.length > 0);
  return withCookies(res, cookies, cacheHeaders);
}

/**
 * Hands the request on, with its id and, for a page, the Content-Security-Policy on both the request (where Next.js
 * finds the nonce) and the response. NextResponse.next() response headers are merged into the handler's response.
 */
function passOn(
  req: NextRequest,
  requestId: string,
  policy: HostPolicy,
  nonce: string | null,
  cookiesChanged = false,
): NextResponse {
  const headers = new Headers(req.headers);
  headers.set("x-request-id", requestId);
  if (cookiesChanged) headers.set("cookie", req.cookies.toString());
  const csp = nonce
    ? pageContentSecurityPolicy({
        nonce,
        https: policy.https,
        dev: process.env.NODE_ENV === "development",
        errorIngest: errorIngestOrigin(),
      })
    : LOCKED_DOWN_CSP;
  if (nonce) {
    headers.set("content-security-policy", csp);
    headers.set("x-nonce", nonce);
  }
  const res = NextResponse.next({ request: { headers } });
  return secured(res, requestId, policy, csp);
}

/** The security headers, and the request id unless the handler behind sets it (null: the route wrapper does). */
function secured(res: NextResponse, requestId: string | null, policy: HostPolicy, csp = LOCKED_DOWN_CSP): NextResponse {
  for (const [name, value] of Object.entries(securityHeaders({ https: policy.https }))) res.headers.set(name, value);
  res.headers.set("Content-Security-Policy", csp);
  if (requestId) res.headers.set("X-Request-Id", requestId);
  return res;
}

type Refusal = { status: number; code: ErrorCode; detail: string };

/** problem+json for the API and server actions; a small bilingual HTML page for a browser asking for a page. */
function refusalResponse(
  { status, code, detail }: Refusal,
  api: boolean,
  requestId: string,
  policy: HostPolicy,
): NextResponse {
  const title = errorCatalog[code].title;
  const body = api
    ? JSON.stringify({ type: `/docs/http-errors#${code}`, title, status, detail, code, requestId })
    : `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${status} ${escapeHtml(title)}</title></head>` +
      `<body><h1>${status} ${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p>Request ID: <code>${requestId}</code></p></body></html>`;
  const res = new NextResponse(body, {
    status,
    headers: {
      "Content-Type": api ? "application/problem+json" : "text/html; charset=utf-8",
      "Cache-Control": "no-store",
    },
  });
  return secured(res, requestId, policy);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Next.js decodes each dynamic segment with decodeURIComponent and answers a bare 500 when that throws. */
function decodable(pathname: string): boolean {
  if (!pathname.includes("%")) return true;
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** Untrusted header and path values are logged only up to here. */
function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

function isWrite(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
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
    if (!auth)
      return problem(
        req,
        requestId,
        401,
        "unauthorized",
        "Unauthorized",
        "Sign in to use this API (session cookie or Authorization: Bearer <access token>).",
      );
    if (!STAFF.includes(auth.role))
      return problem(req, requestId, 403, "forbidden", "Forbidden", "Your role may not use this API.");
    return null;
  }
  if (!auth) {
    const url = new URL("/sign-in", req.url);
    url.searchParams.set("next", req.nextUrl.pathname + req.nextUrl.search);
    return secured(NextResponse.redirect(url, 303), requestId, hostPolicy());
  }
  if (area === "manage" && !STAFF.includes(auth.role)) {
    // A redirect, not a rewrite with status 403: `next start` serves a rewritten page with 200 whatever status the
    // proxy asked for, so the page's own address is the honest answer. The data never reaches the browser either way.
    return secured(NextResponse.redirect(new URL("/forbidden", req.url), 303), requestId, hostPolicy());
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
  const body = api
    ? JSON.stringify({ type: `/docs/http-errors#${code}`, title, status, detail, code, requestId })
    : status === 404
      ? title
      : detail;
  const res = new NextResponse(body, {
    status,
    headers: {
      "Content-Type": api ? "application/problem+json" : "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      ...(retryAfterSeconds ? { "Retry-After": String(retryAfterSeconds) } : {}),
    },
  });
  return secured(res, requestId, hostPolicy());
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
  return (
    pathname === "/dev" || pathname.startsWith("/dev/") || pathname === "/api/dev" || pathname.startsWith("/api/dev/")
  );
}

function mocksAllowed(): boolean {
  try {
    return getModes().mocksAllowed;
  } catch {
    return false;
  }
}

/**
 * Every path but the build's static assets: the host rules and security headers must hold for the API too. The API
 * fast path above keeps that cheap (no session work outside /api/admin and /api/dev); static assets get their fixed
 * headers from next.config.ts.
 */
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};

/** The Sentry DSN's origin while error tracking is on: the browser SDK posts its events there (connect-src). */
function errorIngestOrigin(): string | undefined {
  try {
    const { env, modes } = getConfig();
    return modes.errorTracking === "sentry" && env.SENTRY_DSN ? new URL(env.SENTRY_DSN).origin : undefined;
  } catch {
    return undefined;
  }
}
