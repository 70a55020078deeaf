import { NextRequest } from "next/server";
import { beforeAll, beforeEach, expect, it, vi } from "vitest";
import { GET as dashboardRoute } from "@/app/api/admin/dashboard/route";
import { GET as listUsersRoute } from "@/app/api/admin/users/route";
import { proxy } from "@/proxy";
import { currentAuth } from "@/server/auth/roles";
import { verifyAccessToken } from "@/server/auth/verify";
import { bearer, sessionCookieFor, signedInAs, type SignedIn } from "../helpers/auth";
import { describeEachDatabase } from "../helpers/db";
import { callRoute, expectProblem } from "../helpers/http";

// The real functions, wrapped so each call is counted: the guard (src/server/auth/guard.ts) and the session reader
// import them by relative path, which resolves to these same modules.
vi.mock("@/server/auth/verify", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/auth/verify")>();
  return { ...actual, verifyAccessToken: vi.fn(actual.verifyAccessToken) };
});
vi.mock("@/server/auth/roles", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/auth/roles")>();
  return { ...actual, currentAuth: vi.fn(actual.currentAuth) };
});

/**
 * Decision 0014: an admin request is authorized once. adminRoute's role check (src/server/admin/http.ts) hands its
 * result to the handler, so one request costs exactly one JWT verification and one role read (currentAuth: the
 * session's liveness and user_roles in one query), whether the caller sends a bearer token or the session cookie.
 * In front of it, the proxy's first guard checks the token's signature and claims only (no database), so the whole
 * request, proxy included, still reads the role once.
 */
describeEachDatabase("admin API: one authorization per request", (ctx) => {
  let staff: SignedIn, admin: SignedIn;
  const verifications = vi.mocked(verifyAccessToken);
  const roleReads = vi.mocked(currentAuth);

  beforeAll(async () => {
    staff = await signedInAs(ctx.db, "staff");
    admin = await signedInAs(ctx.db, "admin");
  });
  beforeEach(() => {
    verifications.mockClear();
    roleReads.mockClear();
  });

  it("a bearer-token request verifies the JWT once and reads the role once", async () => {
    const res = await callRoute(dashboardRoute, "/api/admin/dashboard", { headers: bearer(staff) });
    expect(res.status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(roleReads).toHaveBeenCalledTimes(1);
    expect(roleReads.mock.calls[0]?.[0].userId).toBe(staff.userId);
  });

  it("a cookie-session request verifies the JWT once and reads the role once", async () => {
    const cookie = await sessionCookieFor(admin.email);
    verifications.mockClear();
    roleReads.mockClear();
    const res = await callRoute(listUsersRoute, "/api/admin/users", {
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    expect(res.status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(roleReads).toHaveBeenCalledTimes(1);
  });

  it("a refused request (staff on an admin-only route) also authenticates once and never reaches the handler", async () => {
    const res = await callRoute(listUsersRoute, "/api/admin/users", { headers: bearer(staff) });
    await expectProblem(res, 403, "forbidden");
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(roleReads).toHaveBeenCalledTimes(1);
  });

  it("through the proxy too, a cookie-session request reads the session and role once: in adminRoute", async () => {
    const cookie = await sessionCookieFor(admin.email);
    const headers = { cookie, "sec-fetch-site": "same-origin" };
    verifications.mockClear();
    roleReads.mockClear();
    const passed = await proxy(new NextRequest(new URL("/api/admin/dashboard", "http://localhost"), { headers }));
    expect(passed.headers.get("x-middleware-next")).toBe("1");
    // The proxy's guard: the signature and claims (a local HMAC check), no role read.
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(roleReads).not.toHaveBeenCalled();
    const res = await callRoute(dashboardRoute, "/api/admin/dashboard", { headers });
    expect(res.status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(2);
    expect(roleReads).toHaveBeenCalledTimes(1);
  });
});
