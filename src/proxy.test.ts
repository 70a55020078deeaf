// Long on purpose: a test file: the proxy's cases, one group per check it makes.
import { SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/env";
import { logger } from "@/lib/logger";
import { EMULATOR_JWT_SECRET } from "@/server/auth/config";
import { AUTH_COOKIE } from "@/server/auth/session";
import { PEER_HEADER } from "@/server/security/client-ip";
import { mocksOffEnv } from "../tests/helpers/env";
import { proxy } from "./proxy";
import { processSlot } from "@/lib/process-global";

// No database in these tests: every validly signed session counts as live (auth.sessions is checked against a real
// database in tests/integration/auth-hardening.test.ts).
vi.mock("@/server/auth/roles", () => ({ currentAuth: async (auth: unknown) => auth }));

// Requests below are addressed to http://localhost; with mocks off only the hosts listed here are answered.
const mocksOff = mocksOffEnv({ ALLOWED_BASE_HOSTS: "localhost" });

function withEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  resetConfigForTests();
}

const request = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  new NextRequest(new URL(path, "http://localhost"), { headers, method });

/** What the server process does at startup (installPeerStamp): from then on the peer header is trusted. */
const peerStamp = processSlot<boolean>("peerStamp");
const stampPeers = (on: boolean) => peerStamp.set(on || undefined);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  stampPeers(false);
  resetConfigForTests();
});

const passesOn = (res: Response) => res.status === 200 && res.headers.get("x-middleware-next") === "1";

describe("proxy: allowed hosts", () => {
  it("refuses a foreign Host with 400: problem+json on the API, an HTML page elsewhere, one log line", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true", APP_BASE_URL: "http://localhost:3000" });
    const warn = vi.spyOn(logger, "warn");
    const api = await proxy(request("/api/services", { host: "evil.example", "x-request-id": "client-req-0100" }));
    expect(api.status).toBe(400);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
    expect(await api.json()).toMatchObject({ status: 400, code: "host_not_allowed", requestId: "client-req-0100" });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({
      event: "host.refused",
      code: "host_not_allowed",
      source: "host",
      value: "evil.example",
    });

    const page = await proxy(request("/services/yoga", { host: "evil.example" }));
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain("<h1>400 Host not allowed</h1>");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("never echoes a huge header value into the log", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const warn = vi.spyOn(logger, "warn");
    const res = await proxy(request("/", { host: `${"a".repeat(5000)}.example` }));
    expect(res.status).toBe(400);
    expect(String((warn.mock.calls[0]?.[0] as { value: string }).value).length).toBeLessThanOrEqual(201);
  });

  it("refuses a foreign X-Forwarded-Host even when Host is fine", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(
      request("/api/slots", { host: "localhost:3000", "x-forwarded-host": "localhost:3000, evil.example" }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "host_not_allowed" });
  });

  it.each(["/api/health", "/api/ping"])("answers %s whatever the Host (load balancers probe by IP)", async (path) => {
    withEnv(mocksOffEnv());
    expect(passesOn(await proxy(request(path, { host: "10.1.2.3:3000" })))).toBe(true);
  });

  it("by default answers the host of APP_BASE_URL, plus loopback hosts on any port while mocks are allowed", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true", APP_BASE_URL: "http://book.test:3000" });
    for (const host of ["book.test:3000", "book.test", "localhost:3000", "127.0.0.1:9999", "[::1]:3000", "LOCALHOST"]) {
      expect(passesOn(await proxy(request("/api/services", { host }))), host).toBe(true);
    }
    withEnv(mocksOffEnv());
    expect(passesOn(await proxy(request("/", { host: "book.example.com" })))).toBe(true);
    expect((await proxy(request("/", { host: "localhost:3000" }))).status).toBe(400);
  });

  it("takes ALLOWED_BASE_HOSTS as the list (host, host:port, *.domain), APP_BASE_URL's host always included", async () => {
    withEnv(mocksOffEnv({ ALLOWED_BASE_HOSTS: "www.example.com, admin.example.com:8443, *.preview.example.com" }));
    const status = async (host: string) => (await proxy(request("/api/services", { host }))).status;
    expect(await status("book.example.com")).toBe(200);
    expect(await status("www.example.com:443")).toBe(200);
    expect(await status("admin.example.com:8443")).toBe(200);
    expect(await status("admin.example.com")).toBe(400);
    expect(await status("pr-12.preview.example.com")).toBe(200);
    expect(await status("preview.example.com")).toBe(400);
    expect(await status("example.com.evil.test")).toBe(400);
    expect(await status("book.example.com@evil.test")).toBe(400);
  });
});

describe("proxy: a production build with mocks allowed answers loopback only", () => {
  const production = { NODE_ENV: "production", ALLOW_DEV_MOCKS: "true", APP_BASE_URL: "http://localhost:3000" };

  it("answers a loopback Host from a loopback client", async () => {
    withEnv(production);
    stampPeers(true);
    for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect(
        passesOn(await proxy(request("/api/dev/clock", { host: "127.0.0.1:3100", [PEER_HEADER]: peer }))),
        peer,
      ).toBe(true);
    }
  });

  it("refuses any other client with 403 mocks_local_only, health included, and a non-loopback Host", async () => {
    withEnv({ ...production, ALLOWED_BASE_HOSTS: "dev.example.com" });
    stampPeers(true);
    for (const path of ["/api/services", "/api/health"]) {
      const res = await proxy(request(path, { host: "localhost:3000", [PEER_HEADER]: "203.0.113.9" }));
      expect(res.status, path).toBe(403);
      expect(await res.json()).toMatchObject({ code: "mocks_local_only" });
    }
    // An allowed but public host name: the development secrets would be on the internet.
    const byName = await proxy(request("/", { host: "dev.example.com", [PEER_HEADER]: "127.0.0.1" }));
    expect(byName.status).toBe(403);
    expect(byName.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("fails closed when the process does not stamp the peer (the client address is unknown)", async () => {
    withEnv(production);
    const res = await proxy(request("/api/services", { host: "localhost:3000", [PEER_HEADER]: "127.0.0.1" }));
    expect(res.status).toBe(403);
  });

  it("ALLOW_DEV_MOCKS_REMOTE=true opts in; development builds and mocks off are not affected", async () => {
    stampPeers(true);
    const remote = { host: "localhost:3000", [PEER_HEADER]: "203.0.113.9" };
    withEnv({ ...production, ALLOW_DEV_MOCKS_REMOTE: "true" });
    expect(passesOn(await proxy(request("/api/services", remote)))).toBe(true);
    withEnv({ ...production, NODE_ENV: "development" });
    expect(passesOn(await proxy(request("/api/services", remote)))).toBe(true);
    withEnv({ ...mocksOff, NODE_ENV: "production" });
    expect(passesOn(await proxy(request("/api/services", remote)))).toBe(true);
  });
});

describe("proxy: malformed percent-encoding", () => {
  it("answers 400 problem+json on the API and a 404 page elsewhere, with a log line", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const warn = vi.spyOn(logger, "warn");
    const api = await proxy(request("/api/reservations/%E0%A4%A", { "x-request-id": "client-req-0101" }));
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ status: 400, code: "bad_request", requestId: "client-req-0101" });
    const page = await proxy(request("/services/%E0%A4%A"));
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await proxy(request("/reservations/%C0%AF"))).status).toBe(404);
    expect(warn.mock.calls.map((c) => (c[0] as { event: string }).event)).toEqual([
      "http.malformed_path",
      "http.malformed_path",
      "http.malformed_path",
    ]);
  });

  it("lets well-formed encodings through", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    expect(passesOn(await proxy(request("/services/%E3%83%A8%E3%82%AC")))).toBe(true);
    expect(passesOn(await proxy(request("/api/reservations/abc%20def")))).toBe(true);
  });
});

describe("proxy: cross-origin writes to pages (server actions)", () => {
  const action = (origin: string | null, host = "localhost:3000") =>
    proxy(request("/sign-in", { host, "next-action": "7f00aa", ...(origin === null ? {} : { origin }) }, "POST"));

  it("answers 403 problem+json before Next.js would answer 500", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const warn = vi.spyOn(logger, "warn");
    for (const origin of [
      "https://evil.example",
      "null",
      "http://localhost:3001",
      "http://127.0.0.1:3000",
      "not a url",
    ]) {
      const res = await action(origin);
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toMatchObject({ code: "forbidden" });
    }
    expect(warn.mock.calls[0]?.[0]).toMatchObject({
      event: "origin.refused",
      origin: "https://evil.example",
      action: true,
    });
  });

  it("lets same-origin actions through, and requests without Origin (Next.js's own rule; browsers always send it)", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    expect(passesOn(await action("http://localhost:3000"))).toBe(true);
    expect(passesOn(await action(null))).toBe(true);
  });

  it("on APP_BASE_URL's host the scheme must match too", async () => {
    withEnv(mocksOffEnv());
    expect((await action("http://book.example.com", "book.example.com")).status).toBe(403);
    expect(passesOn(await action("https://book.example.com", "book.example.com"))).toBe(true);
  });

  it("leaves API writes to the route wrapper's own checks", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(
      request("/api/reservations", { host: "localhost:3000", origin: "https://evil.example" }, "POST"),
    );
    expect(passesOn(res)).toBe(true);
  });
});

describe("proxy: security headers", () => {
  const common = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };
  const headersOf = (res: Response, names: string[]) => Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));

  it("gives a page a CSP with a fresh nonce, on the response and on the request Next.js renders from", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const first = await proxy(request("/"));
    const csp = first.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toHaveLength(24);
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(headersOf(first, Object.keys(common))).toEqual(common);
    expect(first.headers.get("permissions-policy")).toBe("camera=(), microphone=(), geolocation=(), payment=()");
    expect(first.headers.get("strict-transport-security")).toBeNull();
    const second = await proxy(request("/"));
    expect(second.headers.get("content-security-policy")).not.toBe(csp);
  });

  it("gives API answers the same headers and a CSP that allows nothing, without touching their request", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(request("/api/services"));
    expect(headersOf(res, Object.keys(common))).toEqual(common);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(res.headers.get("x-middleware-request-content-security-policy")).toBeNull();
  });

  it("adds HSTS and upgrade-insecure-requests when APP_BASE_URL is https, and 'unsafe-eval' only under next dev", async () => {
    withEnv(mocksOffEnv({ ALLOWED_BASE_HOSTS: "localhost" }));
    const page = await proxy(request("/"));
    expect(page.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(page.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    const refused = await proxy(request("/", { host: "evil.example" }));
    expect(refused.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    withEnv({ ALLOW_DEV_MOCKS: "true", NODE_ENV: "development" });
    expect((await proxy(request("/"))).headers.get("content-security-policy")).toContain(
      "'strict-dynamic' 'unsafe-eval'",
    );
  });

  it("puts them on the proxy's own answers too (redirects, refusals)", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    for (const res of [
      await proxy(request("/manage")),
      await proxy(request("/", { host: "evil.example" })),
      await proxy(request("/services/%E0")),
    ]) {
      expect(headersOf(res, Object.keys(common))).toEqual(common);
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
  });
});

describe("proxy: the development surface", () => {
  it.each(["/api/dev/clock", "/api/dev/reset", "/api/dev"])(
    "answers 404 problem+json for %s while mocks are off",
    async (path) => {
      withEnv(mocksOff);
      const res = await proxy(request(path, { "x-request-id": "client-req-0001" }));
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("x-request-id")).toBe("client-req-0001");
      expect(await res.json()).toMatchObject({ status: 404, code: "not_found", requestId: "client-req-0001" });
    },
  );

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
    const res = await proxy(request("/api/dev/clock", { "x-request-id": "client-req-0002" }));
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

  async function accessToken(
    userRole: "user" | "staff" | "admin",
    options: { secret?: string; expiresIn?: number } = {},
  ) {
    return new SignJWT({
      role: "authenticated",
      email: `${userRole}@example.com`,
      user_role: userRole,
      session_id: crypto.randomUUID(),
    })
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
      user: {
        id: crypto.randomUUID(),
        aud: "authenticated",
        role: "authenticated",
        app_metadata: {},
        user_metadata: {},
      },
    };
    return `${AUTH_COOKIE}=base64-${Buffer.from(JSON.stringify(session)).toString("base64url")}`;
  }

  const passes = (res: Response) => res.status === 200 && res.headers.get("x-middleware-next") === "1";

  it.each([
    "/manage",
    "/manage/reservations",
    "/manage/reservations/42?tab=audit&page=2",
    "/account",
    "/account/settings",
  ])("sends a visitor without a session from %s to sign-in, keeping the way back", async (path) => {
    withEnv(emulatorEnv);
    const res = await proxy(request(path, { "x-request-id": "client-req-0003" }));
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "");
    expect({ pathname: location.pathname, next: location.searchParams.get("next") }).toEqual({
      pathname: "/sign-in",
      next: path,
    });
    expect(res.headers.get("x-request-id")).toBe("client-req-0003");
  });

  it.each(["/", "/manageable", "/accounting", "/api/administrator", "/services/yoga"])(
    "leaves %s alone",
    async (path) => {
      withEnv(emulatorEnv);
      expect(passes(await proxy(request(path)))).toBe(true);
    },
  );

  it("answers the admin API with 401 problem+json without a valid token, 403 for customers, and lets staff through", async () => {
    withEnv(emulatorEnv);
    const api = (headers: Record<string, string>) =>
      proxy(request("/api/admin/reservations", { "x-request-id": "client-req-0004", ...headers }));
    const unauthorized: Record<string, string>[] = [
      {},
      { authorization: "Bearer not-a-jwt" },
      { authorization: `Bearer ${await accessToken("staff", { expiresIn: -60 })}` },
      {
        authorization: `Bearer ${await accessToken("admin", { secret: "another-secret-of-at-least-thirty-two-chars" })}`,
      },
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
    expect(
      (await proxy(request("/api/admin/reservations", { authorization: `Bearer ${await accessToken("admin")}` })))
        .status,
    ).toBe(401);
  });
});
