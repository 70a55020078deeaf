import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { STATIC_SECURITY_HEADERS } from "./src/server/security/headers";

const withNextIntl = createNextIntlPlugin("./src/i18n/request.ts");

/**
 * The fixed security headers for what the proxy does not see (its matcher leaves out the build's static assets).
 * Everything else gets them from src/proxy.ts, with HSTS and the page CSP, which depend on the configuration at run
 * time (these are baked into the build).
 */
const staticAssetHeaders = Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
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

export default withNextIntl(nextConfig);
