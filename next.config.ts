import { execFileSync } from "node:child_process";
import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { withSentryConfig } from "@sentry/nextjs/config";
import { STATIC_SECURITY_HEADERS } from "./src/server/security/headers";

const withNextIntl = createNextIntlPlugin("./src/i18n/request.ts");

/**
 * The fixed security headers for what the proxy does not see (its matcher leaves out the build's static assets).
 * Everything else gets them from src/proxy.ts, with HSTS and the page CSP, which depend on the configuration at run
 * time (these are baked into the build).
 */
const staticAssetHeaders = Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));

/**
 * The git commit this build is made from, baked into the server and browser bundles as SLOTBOOK_BUILD_COMMIT: the
 * Sentry release when APP_VERSION is not set (src/lib/observability/sentry-options.ts). None outside a git checkout.
 */
function buildCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return "";
  }
}

const nextConfig: NextConfig = {
  env: { SLOTBOOK_BUILD_COMMIT: buildCommit() },
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time, not bundled.
  // rate-limiter-flexible loads drizzle-orm with a dynamic import at run time: both (and ioredis) stay in
  // node_modules, so the limiter's Drizzle store and the app share one drizzle-orm.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pino",
    "postgres",
    "ioredis",
    "rate-limiter-flexible",
    "drizzle-orm",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return ["/_next/static/:path*", "/_next/image", "/favicon.ico"].map((source) => ({
      source,
      headers: staticAssetHeaders,
    }));
  },
};

/**
 * Sentry's build integration without any network: no source-map or release upload (no auth token is ever read), no
 * telemetry, no tunnel route; the build must succeed offline. It only wires the SDK into the bundles
 * (instrumentation, route and server-component wrappers). Decision 0017.
 */
export default withSentryConfig(withNextIntl(nextConfig), {
  telemetry: false,
  silent: true,
  sourcemaps: { disable: true },
  release: { create: false, finalize: false },
  widenClientFileUpload: false,
  tunnelRoute: false,
});
