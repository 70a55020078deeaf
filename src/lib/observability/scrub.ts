import type { Breadcrumb, ErrorEvent } from "@sentry/nextjs";

/**
 * Privacy by default for error events (decision 0017, docs/observability.md): one scrubber that every Sentry event and
 * breadcrumb goes through, on the server, the edge and in the browser (`beforeSend`, `beforeBreadcrumb`). It keeps
 * what explains a failure (exception type and message, stack frames, route, tags) and removes what identifies a
 * person or opens a door: email addresses, IP addresses, cookies, request bodies and headers, manage tokens,
 * `token_hash`, auth codes, reservation codes, and any query parameter that carries a secret.
 */

export const REDACTED = "[redacted]";

/** Query parameters whose value is a credential or identifies a person (compared lower-case). */
const SECRET_PARAMS = new Set([
  "token",
  "token_hash",
  "code",
  "access_token",
  "refresh_token",
  "id_token",
  "secret",
  "key",
  "password",
  "signature",
  "sig",
  "email",
  "phone",
  "session_id",
  "client_secret",
  "otp",
]);

/** Headers that may be kept on an event: they describe the request without identifying its sender. */
const SAFE_HEADERS = new Set(["content-type", "content-length", "accept", "x-request-id"]);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// Five or more groups, or a "::" between hex groups: leaves times (12:30:45) and "a:b" keys alone.
const IPV6 =
  /\b(?:[0-9a-fA-F]{1,4}:){4,7}[0-9a-fA-F]{1,4}\b|\b(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?\b/g;
/** Reservation codes (BK-7Q4M-X2HD), read aloud on the phone: they name one booking. */
const RESERVATION_CODE = /\bBK-[2-9A-HJ-KM-NP-Z]{4}-[2-9A-HJ-KM-NP-Z]{4}\b/g;
/** Long opaque strings: manage tokens (43 base64url characters), token hashes, Stripe secrets, session ids. */
const OPAQUE = /\b(?:sk|rk|whsec|pk|cs|pi|seti)_(?:test_|live_)?[A-Za-z0-9_]{8,}|[A-Za-z0-9_-]{32,}/g;
/** `name=value` pairs of secret parameters inside free text (a URL in a message, a header echoed in an error). */
const SECRET_PAIR = new RegExp(`\\b(${[...SECRET_PARAMS].join("|")})(=|:\\s*)([^&\\s"',;]+)`, "gi");
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Free text (an exception message, a breadcrumb message) without emails, IPs, codes, tokens and secrets. */
export function scrubText(text: string): string {
  return text
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(SECRET_PAIR, `$1$2${REDACTED}`)
    .replace(EMAIL, "[email]")
    .replace(IPV4, "[ip]")
    .replace(IPV6, "[ip]")
    .replace(RESERVATION_CODE, "[code]")
    .replace(OPAQUE, (match) => (isUuidLike(match) ? match : REDACTED));
}

function isUuidLike(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/**
 * A URL (absolute, or a path with a query) with every secret query parameter's value replaced, no user info, and the
 * remaining text scrubbed (a reservation code or a token in the path).
 */
export function scrubUrl(url: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  let parsed: URL;
  try {
    parsed = new URL(url, "http://placeholder.invalid");
  } catch {
    return scrubText(url);
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) parsed.searchParams.set(name, REDACTED);
    else parsed.searchParams.set(name, scrubText(parsed.searchParams.get(name) ?? ""));
  }
  parsed.hash = parsed.hash ? scrubText(parsed.hash) : "";
  const text = absolute ? parsed.toString() : `${parsed.pathname}${parsed.search}${parsed.hash}`;
  return decodeRedacted(scrubPath(text));
}

/** A query string without the URL ("a=1&token=…"), as Sentry stores it in request.query_string. */
export function scrubQueryString(query: string): string {
  const params = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  for (const name of [...new Set(params.keys())]) {
    params.set(name, SECRET_PARAMS.has(name.toLowerCase()) ? REDACTED : scrubText(params.get(name) ?? ""));
  }
  return decodeRedacted(params.toString());
}

function scrubPath(text: string): string {
  return text.replace(RESERVATION_CODE, "[code]").replace(OPAQUE, (m) => (isUuidLike(m) ? m : REDACTED));
}

/** URLSearchParams encodes the brackets; the marker reads better as written. */
function decodeRedacted(text: string): string {
  return text
    .replaceAll("%5Bredacted%5D", REDACTED)
    .replaceAll("%5Bemail%5D", "[email]")
    .replaceAll("%5Bip%5D", "[ip]")
    .replaceAll("%5Bcode%5D", "[code]");
}

/** Any value found in event data: strings scrubbed, objects walked (to a depth), keys naming secrets dropped. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return looksLikeUrl(value) ? scrubUrl(value) : scrubText(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretKey(key)) out[key] = REDACTED;
    else out[key] = scrubValue(inner, depth + 1);
  }
  return out;
}

function looksLikeUrl(text: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/|\/)[^\s]*$/i.test(text);
}

function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return (
    SECRET_PARAMS.has(k) ||
    /token|secret|password|cookie|authorization|email|phone|^ip$|ip_address|remote_addr|body|payload/.test(k)
  );
}

/**
 * beforeSend: the event as it may leave the process. The user is reduced to the opaque id and role set on the scope,
 * the request keeps its method, scrubbed URL and query and a few descriptive headers (no cookies, no body, no
 * environment), and every message, exception value, breadcrumb, extra and context value is scrubbed.
 */
export function scrubEvent<E extends ErrorEvent>(event: E): E {
  if (event.user) {
    const { id, role } = event.user as { id?: string | number; role?: unknown };
    const user = { ...(id !== undefined ? { id: String(id) } : {}), ...(typeof role === "string" ? { role } : {}) };
    if (Object.keys(user).length > 0) event.user = user as E["user"];
    else delete event.user;
  }
  if (event.request) {
    const request = event.request;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (SAFE_HEADERS.has(name.toLowerCase())) headers[name] = scrubText(String(value));
    }
    event.request = {
      ...(request.method ? { method: request.method } : {}),
      ...(request.url ? { url: scrubUrl(request.url) } : {}),
      ...(typeof request.query_string === "string" ? { query_string: scrubQueryString(request.query_string) } : {}),
      headers,
    };
  }
  if (typeof event.message === "string") event.message = scrubText(event.message);
  if (event.logentry) {
    event.logentry = {
      ...event.logentry,
      ...(event.logentry.message ? { message: scrubText(event.logentry.message) } : {}),
      ...(event.logentry.params ? { params: scrubValue(event.logentry.params) as unknown[] } : {}),
    };
  }
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
    // Frames stay (file, function, line); the source lines around them are scrubbed like text, and local variables
    // (never collected: stackFrameVariables is off) are dropped should an integration add them.
    for (const frame of exception.stacktrace?.frames ?? []) {
      if (frame.context_line) frame.context_line = scrubText(frame.context_line);
      if (frame.pre_context) frame.pre_context = frame.pre_context.map(scrubText);
      if (frame.post_context) frame.post_context = frame.post_context.map(scrubText);
      delete frame.vars;
    }
  }
  if (event.transaction) event.transaction = scrubUrl(event.transaction);
  if (event.breadcrumbs) {
    event.breadcrumbs = event.breadcrumbs.map((crumb) => scrubBreadcrumb({ ...crumb })).filter((c) => c !== null);
  }
  if (event.extra) event.extra = scrubValue(event.extra) as E["extra"];
  if (event.contexts) {
    // The trace context holds ids that link the event to its trace, not data.
    const { trace, ...rest } = event.contexts;
    event.contexts = { ...(scrubValue(rest) as E["contexts"]), ...(trace ? { trace } : {}) };
  }
  if (event.tags) {
    // The request id is checked where it is made (short, plain characters: src/lib/request-id.ts) and must stay whole.
    const { request_id: requestId, ...rest } = event.tags;
    event.tags = { ...(scrubValue(rest) as E["tags"]), ...(requestId !== undefined ? { request_id: requestId } : {}) };
  }
  delete event.server_name;
  return event;
}

/**
 * beforeBreadcrumb: URLs (fetch, xhr, navigation from/to) and messages scrubbed; request and response bodies
 * dropped. Console breadcrumbs keep only their scrubbed message, not the logged arguments.
 */
export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb | null {
  if (crumb.message) crumb.message = scrubText(crumb.message);
  if (crumb.data) {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(crumb.data)) {
      if (crumb.category === "console" && key === "arguments") continue;
      if (isSecretKey(key)) continue;
      data[key] = typeof value === "string" && /url|^from$|^to$/i.test(key) ? scrubUrl(value) : scrubValue(value);
    }
    crumb.data = data;
  }
  return crumb;
}
