/**
 * The security headers every response carries, and the page Content-Security-Policy with its per-request nonce.
 * Set by the proxy (src/proxy.ts), which runs before every page and every API route; static assets get the fixed set
 * from next.config.ts. docs/security.md explains each header.
 *
 * No "server-only" import: next.config.ts reads STATIC_SECURITY_HEADERS from here.
 */

/** Headers that never depend on the request or the configuration. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  // Manage links carry their token in ?token=: no page may send its address to another site in a Referer header.
  "Referrer-Policy": "no-referrer",
  // Nothing here uses these. payment=() too: Stripe Checkout is a full-page redirect to Stripe's own origin, whose
  // document has its own policy; the Payment Request API is never called from our pages.
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Two years, the preload list's minimum; sent only when APP_BASE_URL is https (never over plain http). */
export const HSTS = "max-age=63072000; includeSubDomains";

export type HeaderOptions = {
  /** APP_BASE_URL is https: add HSTS and upgrade-insecure-requests. */
  https: boolean;
};

/** The headers for a response, pages and API alike (the CSP is separate: it depends on what the response is). */
export function securityHeaders({ https }: HeaderOptions): Record<string, string> {
  return https ? { ...STATIC_SECURITY_HEADERS, "Strict-Transport-Security": HSTS } : { ...STATIC_SECURITY_HEADERS };
}

/** 128 random bits, base64: unguessable and fresh for every page response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The page policy (Next.js's nonce recipe, node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md).
 * Next.js reads the nonce from this header on the request and puts it on every script it renders; 'strict-dynamic'
 * extends the trust to the chunks those scripts load. Styles allow 'unsafe-inline' (and so carry no nonce, which
 * would switch 'unsafe-inline' off): React writes style attributes, which a nonce cannot cover, and a style cannot
 * run code. 'unsafe-eval' only under `next dev`, where React rebuilds server stacks with eval.
 */
export function pageContentSecurityPolicy({
  nonce,
  https,
  dev,
  errorIngest,
}: HeaderOptions & {
  nonce: string;
  dev: boolean;
  /** The origin the browser's error tracking posts to (the Sentry DSN's), when error tracking is on. */
  errorIngest?: string;
}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${errorIngest ? ` ${errorIngest}` : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    // Forms post to this origin only. Checkout is window.location to Stripe (or /dev/checkout), not a form post.
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * For everything that is not a page: API answers (JSON, CSV) and the proxy's own refusals. Nothing in them may load
 * or run anything, or be framed.
 */
export const LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
