import { SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/env";
import { EMULATOR_JWT_SECRET } from "@/server/auth/config";
import { AUTH_COOKIE } from "@/server/auth/session";
import { mocksOffEnv } from "../tests/helpers/env";
import { proxy } from "./proxy";

const mocksOff = mocksOffEnv();

function withEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  resetConfigForTests();
}

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, "http://localhost"), { headers });

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfigForTests();
});

describe("proxy: the development surface", () => {
  it.each(["/api/dev/clock", "/api/dev/reset", "/api/dev"])("answers 404 problem+json for %s while mocks are off", async (path) => {
    withEnv(mocksOff);
    const res = await proxy(request(path, { "x-request-id": "client-req-0001" }));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBe("client-req-0001");
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found", requestId: "client-req-0001" });
  });

  it.each(["/dev", "/dev/emails"])("answers a plain 404 for the page %s while mocks are off", async (path) => {
    withEnv(mocksOff);
    const res = await proxy(request(path));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("Not found");
  });

  it("hides the surface when the configuration cannot even be read", async () => {
    withEnv({ NODE_ENV: "production", ALLOW_DEV_MOCKS: "false" });
    expect((await proxy(request("/api/dev/clock"))).status).toBe(404);
  });

  it("lets the surface through while mocks are allowed, with a request id", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(request("/api/dev/clock"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(["/developers", "/api/devices", "/api/health"])("never hides %s, which only looks similar", async (path) => {
    withEnv(mocksOff);
    expect((await proxy(request(path))).status).toBe(200);
  });

  it("passes the resolved request id on to the handler's request headers", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(request("/api/health", { "x-request-id": "client-req-0002" }));
    expect(res.headers.get("x-request-id")).toBe("client-req-0002");
    expect(res.headers.get("x-middleware-request-x-request-id")).toBe("client-req-0002");
  });
});

/**
 * The first guard for the staff area, without a database: access tokens are signed here with the emulator's
 * development secret, exactly as the Auth emulator signs them, and put in a session cookie shaped like the one
 * @supabase/ssr writes. (tests/integration/admin-guards.test.ts signs in for real, over every route and page.)
 */
describe("proxy: /manage, /account and /api/admin", () => {
  const emulatorEnv = {
    ALLOW_DEV_MOCKS: "true",
    NODE_ENV: "test",
    NEXT_PUBLIC_SUPABASE_URL: undefined,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: undefined,
    SUPABASE_SERVICE_ROLE_KEY: undefined,
    SUPABASE_JWT_SECRET: undefined,
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  async function accessToken(userRole: "user" | "staff" | "admin", options: { secret?: string; expiresIn?: number } = {}) {
    return new SignJWT({ role: "authenticated", email: `${userRole}@example.com`, user_role: userRole, session_id: crypto.randomUUID() })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(crypto.randomUUID())
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime(nowSeconds() + (options.expiresIn ?? 3600))
      .sign(new TextEncoder().encode(options.secret ?? EMULATOR_JWT_SECRET));
  }

  /** The cookie @supabase/ssr keeps the session in: "base64-" + base64url(session JSON). */
  function sessionCookie(token: string): string {
    const session = {
      access_token: token,
      refresh_token: "unused-refresh-token",
      token_type: "bearer",
      expires_in: 3600,
      expires_at: nowSeconds() + 3600,
      user: { id: crypto.randomUUID(), aud: "authenticated", role: "authenticated", app_metadata: {}, user_metadata: {} },
    };
    return `${AUTH_COOKIE}=base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`;
  }

  const passes = (res: Response) => res.status === 200 && res.headers.get("x-middleware-next") === "1";

  it.each(["/manage", "/manage/reservations", "/manage/reservations/42?tab=audit&page=2", "/account", "/account/settings"])(
    "sends a visitor without a session from %s to sign-in, keeping the way back",
    async (path) => {
      withEnv(emulatorEnv);
      const res = await proxy(request(path, { "x-request-id": "client-req-0003" }));
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get("location") ?? "");
      expect({ pathname: location.pathname, next: location.searchParams.get("next") }).toEqual({ pathname: "/sign-in", next: path });
      expect(res.headers.get("x-request-id")).toBe("client-req-0003");
    },
  );

  it.each(["/", "/manageable", "/accounting", "/api/administrator", "/services/yoga"])("leaves %s alone", async (path) => {
    withEnv(emulatorEnv);
    expect(passes(await proxy(request(path)))).toBe(true);
  });

  it("answers the admin API with 401 problem+json without a valid token, 403 for customers, and lets staff through", async () => {
    withEnv(emulatorEnv);
    const api = (headers: Record<string, string>) => proxy(request("/api/admin/reservations", { "x-request-id": "client-req-0004", ...headers }));
    const unauthorized: Record<string, string>[] = [
      {},
      { authorization: "Bearer not-a-jwt" },
      { authorization: `Bearer ${await accessToken("staff", { expiresIn: -60 })}` },
      { authorization: `Bearer ${await accessToken("admin", { secret: "another-secret-of-at-least-thirty-two-chars" })}` },
    ];
    for (const headers of unauthorized) {
      const res = await api(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 401, code: "unauthorized", requestId: "client-req-0004" });
    }
    const customer = await api({ authorization: `Bearer ${await accessToken("user")}` });
    expect(customer.status).toBe(403);
    expect(await customer.json()).toMatchObject({ status: 403, code: "forbidden", requestId: "client-req-0004" });
    expect((await api({ cookie: sessionCookie(await accessToken("user")) })).status).toBe(403);
    expect(passes(await api({ authorization: `Bearer ${await accessToken("staff")}` }))).toBe(true);
    expect(passes(await api({ authorization: `Bearer ${await accessToken("admin")}` }))).toBe(true);
    expect(passes(await api({ cookie: sessionCookie(await accessToken("staff")) }))).toBe(true);
  });

  it("sends a customer's session from /manage to the forbidden page, and lets staff, admins and /account through", async () => {
    withEnv(emulatorEnv);
    const user = sessionCookie(await accessToken("user"));
    const forbidden = await proxy(request("/manage/reservations", { cookie: user }));
    expect(forbidden.status).toBe(303);
    expect(forbidden.headers.get("location")).toBe("http://localhost/forbidden");
    expect(passes(await proxy(request("/account", { cookie: user })))).toBe(true);
    for (const role of ["staff", "admin"] as const) {
      const cookie = sessionCookie(await accessToken(role));
      expect(passes(await proxy(request("/manage/reservations", { cookie })))).toBe(true);
      expect(passes(await proxy(request("/account", { cookie })))).toBe(true);
    }
  });

  it("treats a forged, re-signed or tampered session as signed out, and ignores a bearer token on pages", async () => {
    withEnv(emulatorEnv);
    const [header, payload, signature] = (await accessToken("user")).split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, user_role: "admin" })).toString("base64url");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${promoted}.`;
    for (const cookie of [
      sessionCookie(`${header}.${promoted}.${signature}`),
      sessionCookie(await accessToken("admin", { secret: "another-secret-of-at-least-thirty-two-chars" })),
      sessionCookie(unsigned),
    ]) {
      const res = await proxy(request("/manage", { cookie }));
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("http://localhost/sign-in?next=%2Fmanage");
    }
    const bearerOnPage = await proxy(request("/manage", { authorization: `Bearer ${await accessToken("admin")}` }));
    expect(bearerOnPage.status).toBe(303);
  });

  it("fails closed when sign-in is misconfigured: a session is a configuration fault, a bearer token is refused", async () => {
    // Production does not even start without SUPABASE_JWT_SECRET; should a request arrive anyway, nobody gets in.
    withEnv({ ...mocksOff, SUPABASE_JWT_SECRET: undefined });
    const cookie = sessionCookie(await accessToken("admin"));
    await expect(proxy(request("/manage", { cookie }))).rejects.toThrow(/SUPABASE_JWT_SECRET/);
    await expect(proxy(request("/api/admin/reservations", { cookie }))).rejects.toThrow(/SUPABASE_JWT_SECRET/);
    expect((await proxy(request("/api/admin/reservations", { authorization: `Bearer ${await accessToken("admin")}` }))).status).toBe(401);
  });
});
