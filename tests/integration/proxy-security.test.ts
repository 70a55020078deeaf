import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as getServices } from "@/app/api/services/route";
import { config as proxyConfig, proxy } from "@/proxy";
import { HOST_EXEMPT_PATHS } from "@/server/security/hosts";
import { describeEachDatabase } from "../helpers/db";
import { withEnv } from "../helpers/env";
import { entries } from "../helpers/route-files";

/**
 * The proxy over every route and page the app has (found on disk, so a new one is covered without touching this
 * file): it runs for each of them, refuses foreign hosts and undecodable paths before any handler, and hands every
 * request on with the security headers. tests/e2e/security.spec.ts checks the same against `next start`.
 */

const apiRoutes = entries("api", /^route\.ts$/, () => "x").map((e) => ({ ...e, url: `/api${e.url}` }));
const pages = [...entries("", /^page\.tsx$/, () => "x"), ...entries("", /^route\.ts$/, () => "x")]
  .map((e) => (e.url === "/." ? { ...e, url: "/" } : e))
  .filter((e) => !e.url.startsWith("/api/"));
const isDynamic = (file: string) => /\[[^\]]+\]/.test(file.slice(file.indexOf("src/app")));

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, "http://localhost:3000"), { headers });
const passes = (res: Response) => res.status === 200 && res.headers.get("x-middleware-next") === "1";

describe("the proxy's matcher", () => {
  it("has routes and pages to check", () => {
    expect(apiRoutes.length).toBeGreaterThan(30);
    expect(pages.map((p) => p.url)).toEqual(expect.arrayContaining(["/", "/manage", "/sign-in"]));
  });

  it.each([...apiRoutes, ...pages].map((e) => [e.url]))("runs for %s", (url) => {
    expect(unstable_doesMiddlewareMatch({ config: proxyConfig, url })).toBe(true);
  });

  it("skips the build's static assets only", () => {
    for (const url of ["/_next/static/chunks/main.js", "/_next/image?url=%2Fx.png&w=64&q=75", "/favicon.ico"]) {
      expect(unstable_doesMiddlewareMatch({ config: proxyConfig, url }), url).toBe(false);
    }
    expect(unstable_doesMiddlewareMatch({ config: proxyConfig, url: "/api/reservations/%E0%A4%A" })).toBe(true);
  });
});

describe("every API route", () => {
  it.each(apiRoutes.map((e) => [e.url]))(
    "%s: a foreign Host is refused before the handler, health, ping and metrics excepted",
    async (url) => {
      await withEnv({ ALLOW_DEV_MOCKS: "true" }, async () => {
        const res = await proxy(request(url, { host: "attacker.example" }));
        if (HOST_EXEMPT_PATHS.includes(url)) {
          expect(passes(res)).toBe(true);
          return;
        }
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(await res.json()).toMatchObject({ code: "host_not_allowed" });
      });
    },
  );

  it.each(apiRoutes.filter((e) => isDynamic(e.file)).map((e) => [e.url]))(
    "%s: an undecodable segment is a 400 problem",
    async (url) => {
      await withEnv({ ALLOW_DEV_MOCKS: "true" }, async () => {
        const res = await proxy(request(url.replace(/\/x(?=\/|$)/, "/%E0%A4%A")));
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: "bad_request" });
      });
    },
  );
});

describe("every page", () => {
  it.each(pages.filter((p) => !p.url.startsWith("/manage") && !p.url.startsWith("/account")).map((p) => [p.url]))(
    "%s: handed on with a nonce CSP and the security headers; a foreign Host gets a 400 page",
    async (url) => {
      await withEnv({ ALLOW_DEV_MOCKS: "true" }, async () => {
        const res = await proxy(request(url));
        expect(passes(res)).toBe(true);
        expect(res.headers.get("content-security-policy")).toMatch(
          /script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/,
        );
        expect(res.headers.get("x-frame-options")).toBe("DENY");
        const refused = await proxy(request(url, { host: "attacker.example" }));
        expect(refused.status).toBe(400);
        expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
      });
    },
  );
});

describeEachDatabase("through to a handler", () => {
  it("the request id the proxy resolves is the handler's, and the proxy's headers complete the handler's answer", async () => {
    await withEnv({ ALLOW_DEV_MOCKS: "true", APP_BASE_URL: "https://book.example.com" }, async () => {
      const passed = await proxy(
        request("/api/services", { host: "book.example.com", "x-request-id": "proxy-chain-0001" }),
      );
      expect(passes(passed)).toBe(true);
      // What Next.js does with NextResponse.next(): the x-middleware-request-* headers become the handler's request
      // headers, the rest are written to the response before the handler's own.
      const forwarded = new Headers();
      for (const [name, value] of passed.headers) {
        if (name.startsWith("x-middleware-request-")) forwarded.set(name.slice("x-middleware-request-".length), value);
      }
      const handled = await getServices(new NextRequest("http://localhost:3000/api/services", { headers: forwarded }));
      expect(handled.status).toBe(200);
      const merged = new Headers([...passed.headers].filter(([name]) => !name.startsWith("x-middleware-")));
      for (const [name, value] of handled.headers) merged.set(name, value);
      expect(
        Object.fromEntries(
          [
            "x-request-id",
            "x-frame-options",
            "x-content-type-options",
            "referrer-policy",
            "strict-transport-security",
          ].map((n) => [n, merged.get(n)]),
        ),
      ).toEqual({
        "x-request-id": "proxy-chain-0001",
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "strict-transport-security": "max-age=63072000; includeSubDomains",
      });
    });
  });
});
