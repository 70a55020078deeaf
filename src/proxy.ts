import { NextResponse, type NextRequest } from "next/server";
import { getModes } from "@/lib/env";
import { resolveRequestId } from "@/lib/request-id";

/**
 * Runs before every route: gives the request an id (kept from X-Request-Id when valid) that handlers, logs and the
 * response share, and hides the development surface (/api/dev/**, /dev/**) unless mocks are allowed. Each dev
 * handler checks again (src/server/security/dev-guard.ts).
 */
export function proxy(req: NextRequest): NextResponse {
  const requestId = resolveRequestId(req.headers.get("x-request-id"));
  const { pathname } = req.nextUrl;

  if (isDevSurface(pathname) && !mocksAllowed()) {
    const api = pathname.startsWith("/api/");
    const body = api
      ? JSON.stringify({
          type: "/docs/http-errors#not_found",
          title: "Not found",
          status: 404,
          detail: "No route matches this path.",
          code: "not_found",
          requestId,
        })
      : "Not found";
    return new NextResponse(body, {
      status: 404,
      headers: {
        "Content-Type": api ? "application/problem+json" : "text/plain; charset=utf-8",
        "X-Request-Id": requestId,
        "Cache-Control": "no-store",
      },
    });
  }

  const headers = new Headers(req.headers);
  headers.set("x-request-id", requestId);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("X-Request-Id", requestId);
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
 * API routes other than /api/dev are left out: the route wrapper gives them their request id itself, and skipping
 * the proxy there saves a measurable share of every API request (bench/booking-http.ts). /api/dev stays in, so the
 * development API is hidden twice.
 */
export const config = {
  matcher: ["/api/dev/:path*", "/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
