import { describe, expect, it } from "vitest";
import { createNonce, pageContentSecurityPolicy, securityHeaders } from "./headers";

describe("security headers", () => {
  it("nonces are 128 random bits, base64, never repeated", () => {
    const nonces = new Set(Array.from({ length: 200 }, createNonce));
    expect(nonces.size).toBe(200);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });

  it("the page policy: nonce + strict-dynamic for scripts, nothing framed, nothing posted elsewhere", () => {
    const csp = pageContentSecurityPolicy({ nonce: "abc", https: false, dev: false });
    expect(csp.split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self' 'nonce-abc' 'strict-dynamic'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]);
    expect(pageContentSecurityPolicy({ nonce: "abc", https: true, dev: true })).toMatch(
      /'strict-dynamic' 'unsafe-eval'.*; upgrade-insecure-requests$/,
    );
  });

  it("the page policy lets the browser post errors to the Sentry DSN's origin only while error tracking is on", () => {
    const csp = pageContentSecurityPolicy({
      nonce: "abc",
      https: true,
      dev: false,
      errorIngest: "https://o1.ingest.sentry.io",
    });
    expect(csp.split("; ")).toContain("connect-src 'self' https://o1.ingest.sentry.io");
  });

  it("HSTS only over https", () => {
    expect(securityHeaders({ https: false })).not.toHaveProperty("Strict-Transport-Security");
    expect(securityHeaders({ https: true })["Strict-Transport-Security"]).toBe("max-age=63072000; includeSubDomains");
  });
});
