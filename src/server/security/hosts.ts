import "server-only";
import { getConfig, type LoadedConfig } from "@/lib/env";
import { isLoopback, normalizeAddress, peerAddress } from "./client-ip";

/**
 * Which hosts the app answers for (ALLOWED_BASE_HOSTS), and the rule that a production build with mocks allowed
 * answers loopback only. Enforced by the proxy on every request (src/proxy.ts); docs/security.md has the table.
 *
 * Why: the Host header is the client's to choose. Links are built from APP_BASE_URL, never from Host, so a foreign
 * Host cannot poison an email; refusing it anyway keeps caches, logs and Next.js's own host-derived URLs honest, and
 * stops DNS-rebinding pages from talking to a server on a developer's machine.
 *
 * ALLOWED_BASE_HOSTS is a comma-separated list of `host`, `host:port`, `[::1]:port` or `*.example.com` (subdomains
 * only). A host without a port matches every port. The host of APP_BASE_URL is always allowed; without the variable,
 * `localhost`, `127.0.0.1` and `[::1]` (any port) are added while mocks are allowed.
 */

export type HostPattern = { hostname: string; port?: string; subdomains?: boolean };

export type HostPolicy = {
  allowed: HostPattern[];
  /** A production build with mocks allowed and ALLOW_DEV_MOCKS_REMOTE unset: loopback hosts and peers only. */
  loopbackOnly: boolean;
  /** APP_BASE_URL's origin when it is set (scheme included), for the server action origin check. */
  canonicalOrigin?: string;
  /** APP_BASE_URL is https (HSTS, upgrade-insecure-requests). */
  https: boolean;
  /** ALLOWED_BASE_HOSTS entries that are not a host, logged at startup; they match nothing. */
  invalid: string[];
};

export type HostRefusal = {
  status: 400 | 403;
  code: "host_not_allowed" | "mocks_local_only";
  /** What was refused, for the log line. */
  source: "host" | "x-forwarded-host" | "peer";
  value: string;
};

type RequestLike = { headers: { get(name: string): string | null }; nextUrl: { host: string } };

const LOOPBACK_PATTERNS: HostPattern[] = [{ hostname: "localhost" }, { hostname: "127.0.0.1" }, { hostname: "[::1]" }];

/**
 * Paths probed by IP address: load balancers (health, ping) and Prometheus scraping each instance (metrics, behind
 * its own bearer token). Never refused for their Host; none of them builds a link from it.
 */
export const HOST_EXEMPT_PATHS = ["/api/health", "/api/ping", "/api/metrics"];

export function isHostExempt(pathname: string): boolean {
  return HOST_EXEMPT_PATHS.includes(pathname);
}

/** "Example.COM:3000" → { hostname: "example.com", port: "3000" }; "[::1]" stays bracketed; anything else → null. */
export function parseHost(value: string): { hostname: string; port?: string } | null {
  const v = value.trim().toLowerCase();
  if (v.length === 0 || v.length > 260) return null;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(v);
  if (bracketed) {
    return normalizeAddress(bracketed[1]) ? { hostname: `[${bracketed[1]}]`, port: bracketed[2] } : null;
  }
  const named = /^([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)\.?(?::(\d{1,5}))?$/.exec(v);
  return named ? { hostname: named[1] as string, port: named[2] } : null;
}

/** One ALLOWED_BASE_HOSTS entry; a full URL is accepted too (its host is taken). */
export function parseHostPattern(entry: string): HostPattern | null {
  let value = entry.trim();
  if (value.includes("://")) {
    try {
      value = new URL(value).host;
    } catch {
      return null;
    }
  }
  const subdomains = value.startsWith("*.");
  const host = parseHost(subdomains ? value.slice(2) : value);
  if (!host) return null;
  return { hostname: host.hostname, ...(host.port ? { port: host.port } : {}), ...(subdomains ? { subdomains } : {}) };
}

/** The policy for a configuration (pure; policyFor() caches it per parsed configuration). */
export function hostPolicyFrom({ env, modes }: LoadedConfig): HostPolicy {
  const allowed: HostPattern[] = [];
  const invalid: string[] = [];
  let canonicalOrigin: string | undefined;
  if (env.APP_BASE_URL) {
    const base = new URL(env.APP_BASE_URL);
    canonicalOrigin = base.origin;
    allowed.push({ hostname: base.hostname });
  }
  if (env.ALLOWED_BASE_HOSTS) {
    for (const entry of env.ALLOWED_BASE_HOSTS.split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const pattern = parseHostPattern(entry);
      if (pattern) allowed.push(pattern);
      else invalid.push(entry);
    }
  } else if (modes.mocksAllowed) {
    allowed.push(...LOOPBACK_PATTERNS);
  }
  return {
    allowed,
    loopbackOnly: env.NODE_ENV === "production" && modes.mocksAllowed && env.ALLOW_DEV_MOCKS_REMOTE !== true,
    canonicalOrigin,
    https: canonicalOrigin?.startsWith("https:") ?? false,
    invalid,
  };
}

/** An unreadable configuration (a test, a server that should not have started): loopback only, fail closed. */
const UNREADABLE: HostPolicy = { allowed: LOOPBACK_PATTERNS, loopbackOnly: false, https: false, invalid: [] };

const cache = new WeakMap<LoadedConfig, HostPolicy>();

export function hostPolicy(): HostPolicy {
  let config: LoadedConfig;
  try {
    config = getConfig();
  } catch {
    return UNREADABLE;
  }
  let policy = cache.get(config);
  if (!policy) {
    policy = hostPolicyFrom(config);
    cache.set(config, policy);
  }
  return policy;
}

export function hostAllowed(value: string, allowed: readonly HostPattern[]): boolean {
  const host = parseHost(value);
  if (!host) return false;
  return allowed.some(
    (p) =>
      (p.subdomains ? host.hostname.endsWith(`.${p.hostname}`) : host.hostname === p.hostname) &&
      (p.port === undefined || p.port === host.port),
  );
}

export function isLoopbackHost(value: string): boolean {
  const host = parseHost(value);
  if (!host) return false;
  return host.hostname === "localhost" || isLoopback(normalizeAddress(host.hostname));
}

/** The Host the client asked for. Without a Host header (HTTP/1.0, a test's NextRequest): the URL Next.js built. */
export function requestHost(req: RequestLike): string {
  return req.headers.get("host") ?? req.nextUrl.host;
}

/** X-Forwarded-Host entries, when a client or proxy sent any (Next.js fills it from Host otherwise). */
export function forwardedHosts(req: RequestLike): string[] {
  const value = req.headers.get("x-forwarded-host");
  return value
    ? value
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean)
    : [];
}

/**
 * Why this request must be refused, or null. Health and ping (`exempt`) skip the Host rules; the loopback-peer rule
 * of a production build with mocks allowed applies to them too (a remote load balancer has no business there).
 */
export function refuseHost(req: RequestLike, policy: HostPolicy, exempt: boolean): HostRefusal | null {
  if (!exempt) {
    const candidates: { source: HostRefusal["source"]; value: string }[] = [
      { source: "host", value: requestHost(req) },
      ...forwardedHosts(req).map((value) => ({ source: "x-forwarded-host" as const, value })),
    ];
    for (const { source, value } of candidates) {
      if (!hostAllowed(value, policy.allowed)) return { status: 400, code: "host_not_allowed", source, value };
      if (policy.loopbackOnly && !isLoopbackHost(value))
        return { status: 403, code: "mocks_local_only", source, value };
    }
  }
  if (policy.loopbackOnly) {
    const peer = peerAddress(req);
    if (!isLoopback(peer)) return { status: 403, code: "mocks_local_only", source: "peer", value: peer ?? "unknown" };
  }
  return null;
}

/**
 * May a page-path write (a server action) with this Origin go on? The same comparison Next.js makes (Origin's host
 * equals X-Forwarded-Host or Host, which refuseHost has already checked), made here so a mismatch is a 403 instead
 * of the 500 Next.js answers. On APP_BASE_URL's host the scheme and port must match too: an http:// page may not
 * act on the https:// site.
 */
export function originAllowed(origin: string, req: RequestLike, policy: HostPolicy): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, some redirects) lands here.
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const target = forwardedHosts(req)[0] ?? requestHost(req);
  if (url.host !== target) return false;
  if (policy.canonicalOrigin && url.hostname === new URL(policy.canonicalOrigin).hostname) {
    return url.origin === policy.canonicalOrigin;
  }
  return true;
}
