import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/env";
import { mocksOffEnv } from "../../../tests/helpers/env";
import { hostAllowed, hostPolicyFrom, isLoopbackHost, originAllowed, parseHost, parseHostPattern } from "./hosts";

const policy = (vars: Record<string, string | undefined>) => hostPolicyFrom(loadConfig(vars));

describe("parseHost / parseHostPattern", () => {
  it("reads names, ports and bracketed IPv6, lower-cased; refuses anything else", () => {
    expect(parseHost("Book.Example.COM:3000")).toEqual({ hostname: "book.example.com", port: "3000" });
    expect(parseHost("book.example.com.")).toEqual({ hostname: "book.example.com", port: undefined });
    expect(parseHost("[::1]:3100")).toEqual({ hostname: "[::1]", port: "3100" });
    for (const bad of ["", "a b", "evil.test/x", "user@evil.test", "[nope]", "::1", "host:99999999", "x".repeat(300)]) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });

  it("takes a URL or a *.domain wildcard as an ALLOWED_BASE_HOSTS entry", () => {
    expect(parseHostPattern("https://book.example.com")).toEqual({ hostname: "book.example.com" });
    expect(parseHostPattern("*.preview.example.com")).toEqual({ hostname: "preview.example.com", subdomains: true });
    expect(parseHostPattern("admin.example.com:8443")).toEqual({ hostname: "admin.example.com", port: "8443" });
    expect(parseHostPattern("not a host")).toBeNull();
  });
});

describe("hostPolicyFrom", () => {
  it("mocks allowed, nothing set: APP_BASE_URL's default host and the loopback names", () => {
    const p = policy({ ALLOW_DEV_MOCKS: "true", NODE_ENV: "development" });
    expect(p.allowed.map((h) => h.hostname)).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(p).toMatchObject({ loopbackOnly: false, https: false, canonicalOrigin: undefined });
  });

  it("mocks off: APP_BASE_URL's host only, https → HSTS; ALLOWED_BASE_HOSTS adds, invalid entries are reported", () => {
    expect(policy(mocksOffEnv()).allowed).toEqual([{ hostname: "book.example.com" }]);
    expect(policy(mocksOffEnv())).toMatchObject({ https: true, canonicalOrigin: "https://book.example.com" });
    const listed = policy(mocksOffEnv({ ALLOWED_BASE_HOSTS: "www.example.com,, bad host ,10.0.0.5:3000" }));
    expect(listed.allowed.map((h) => h.hostname)).toEqual(["book.example.com", "www.example.com", "10.0.0.5"]);
    expect(listed.invalid).toEqual(["bad host"]);
  });

  it("an explicit list replaces the loopback defaults even while mocks are allowed", () => {
    const p = policy({ ALLOW_DEV_MOCKS: "true", NODE_ENV: "development", ALLOWED_BASE_HOSTS: "dev.internal" });
    expect(p.allowed.map((h) => h.hostname)).toEqual(["dev.internal"]);
  });

  it("loopback only: a production build with mocks allowed, unless ALLOW_DEV_MOCKS_REMOTE=true", () => {
    expect(policy({ NODE_ENV: "production", ALLOW_DEV_MOCKS: "true" }).loopbackOnly).toBe(true);
    expect(
      policy({ NODE_ENV: "production", ALLOW_DEV_MOCKS: "true", ALLOW_DEV_MOCKS_REMOTE: "true" }).loopbackOnly,
    ).toBe(false);
    expect(policy({ NODE_ENV: "development", ALLOW_DEV_MOCKS: "true" }).loopbackOnly).toBe(false);
    expect(policy({ ...mocksOffEnv(), NODE_ENV: "production" }).loopbackOnly).toBe(false);
  });
});

describe("hostAllowed / isLoopbackHost", () => {
  const allowed = [
    { hostname: "example.com" },
    { hostname: "api.example.com", port: "8443" },
    { hostname: "example.net", subdomains: true },
  ];
  it("matches names on any port, pinned ports exactly, wildcards on subdomains only", () => {
    expect(hostAllowed("example.com:1234", allowed)).toBe(true);
    expect(hostAllowed("api.example.com:8443", allowed)).toBe(true);
    expect(hostAllowed("api.example.com", allowed)).toBe(false);
    expect(hostAllowed("a.b.example.net", allowed)).toBe(true);
    expect(hostAllowed("example.net", allowed)).toBe(false);
    expect(hostAllowed("badexample.com", allowed)).toBe(false);
    expect(hostAllowed("example.com.evil.test", allowed)).toBe(false);
  });

  it("knows the loopback names", () => {
    for (const h of ["localhost", "localhost:3000", "127.0.0.1:1", "127.1.2.3", "[::1]:3000"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["localhost.evil.test", "10.0.0.1", "[::2]", "0.0.0.0"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("originAllowed", () => {
  const req = (host: string, forwarded?: string) =>
    new NextRequest(`http://${host}/`, { headers: { host, ...(forwarded ? { "x-forwarded-host": forwarded } : {}) } });

  it("compares with X-Forwarded-Host first, then Host, as Next.js does", () => {
    const p = policy({ ALLOW_DEV_MOCKS: "true", NODE_ENV: "development" });
    expect(originAllowed("http://localhost:3000", req("localhost:3000"), p)).toBe(true);
    expect(originAllowed("http://localhost:3000", req("127.0.0.1:3000", "localhost:3000"), p)).toBe(true);
    expect(originAllowed("http://localhost:3000", req("127.0.0.1:3000"), p)).toBe(false);
    expect(originAllowed("null", req("localhost:3000"), p)).toBe(false);
    expect(originAllowed("ftp://localhost:3000", req("localhost:3000"), p)).toBe(false);
  });

  it("on APP_BASE_URL's host, only APP_BASE_URL's exact origin (the scheme counts)", () => {
    const p = policy(mocksOffEnv());
    expect(originAllowed("https://book.example.com", req("book.example.com"), p)).toBe(true);
    expect(originAllowed("http://book.example.com", req("book.example.com"), p)).toBe(false);
  });
});
