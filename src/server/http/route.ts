// Long on purpose: the route wrapper is one pipeline (request id, rate limit, authorize, guards, parsing,
// problem+json, log line) best read top to bottom; its helpers are the small exported functions below it.
import "server-only";
import type { NextRequest } from "next/server";
import * as Sentry from "@sentry/nextjs";
import { z } from "zod";
import { getModes } from "@/lib/env";
import { AppError, toProblem, type FieldError } from "@/lib/errors";
import { logger, type Logger } from "@/lib/logger";
import { withCorrelation } from "@/lib/correlation";
import { resolveRequestId } from "@/lib/request-id";
import { findForbiddenControl } from "@/lib/text";
import { reportError } from "@/server/observability/errors";
import { recordHttpRequest } from "@/server/observability/metrics";
import { hashUserId } from "@/server/observability/user-hash";
import { clientIp } from "@/server/security/client-ip";
import { enforce, rateLimitHeaders, type LimitOutcome } from "@/server/security/rate-limit";
import type { RuleName } from "@/server/security/rate-limit-rules";

/**
 * The one wrapper every API route goes through: request id, one JSON log line per request, zod parsing of
 * params / query / body, guards, AppError → application/problem+json, X-Request-Id and X-Data-Source headers.
 * Handlers only parse-authorize-call-map; see docs/http-errors.md for the status codes.
 */

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export type RouteContext<P, Q, B> = {
  req: NextRequest;
  params: P;
  query: Q;
  body: B;
  requestId: string;
  log: Logger;
  /** Overrides the X-Data-Source header (default: the database mode). */
  setDataSource(source: string): void;
  /** The client's address (TRUSTED_PROXY_HOPS rule, src/server/security/client-ip.ts), when known. */
  clientIp: string | undefined;
  /**
   * Counts this request against a rate-limit rule for a subject (an address, an email, a user id); throws 429 when
   * refused. The response carries the RateLimit headers of every rule counted.
   */
  limit(rule: RuleName, subject: string | undefined, points?: number): Promise<LimitOutcome>;
};

export type Guard = (req: NextRequest) => void | Promise<void>;

export type RouteOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> = {
  /** Route pattern for logs and metrics, e.g. "/api/slots/[id]". */
  route: string;
  params?: P;
  query?: Q;
  body?: B;
  guards?: Guard[];
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * The per-client rule counted before anything else (guards, parsing): by default api.read for GET/HEAD and
   * api.write for other methods. `false` for callers that are not browsers or API clients and are authenticated
   * otherwise (signed webhooks) or must always answer (health, ping).
   */
  rateLimit?: RuleName | false;
};

/**
 * A handler returns a plain object (200 JSON), a Reply for another status, headers or an empty body, or a Response of
 * its own (streamed downloads such as CSV exports).
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

export function reply(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return new Reply(status, body, headers);
}

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export type RouteHandler = (req: NextRequest, context?: NextRouteContext) => Promise<Response>;

export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(
  options: RouteOptions<P, Q, B>,
  handler: (ctx: RouteContext<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Reply | Response | object>,
): RouteHandler {
  return authorizedRoute({ ...options, authorize: async () => undefined }, (ctx) => handler(ctx));
}

/**
 * route() with one authorization step: `authorize` runs once per request, after the per-client rate limit and before
 * the guards and any parsing, and what it returns is handed to the handler as its second argument, so the handler
 * never authenticates again (adminRoute: the verified caller and role, decision 0014).
 */
export function authorizedRoute<
  A,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(
  options: RouteOptions<P, Q, B> & { authorize: (req: NextRequest) => Promise<A> },
  handler: (ctx: RouteContext<Infer<P>, Infer<Q>, Infer<B>>, authorized: A) => Promise<Reply | Response | object>,
): RouteHandler {
  // Each request its own correlation id (rows it writes, lines it logs, gateway calls carry it) and its own Sentry
  // isolation scope, tagged with its id and route: anything reported while it runs (a 5xx, a failing webhook handler,
  // a staff alert) carries them. A no-op scope while error tracking is off.
  return (req, context) => {
    const requestId = resolveRequestId(req.headers.get("x-request-id"));
    return withCorrelation(requestId, () =>
      Sentry.withIsolationScope((scope) => handle(req, context, scope, requestId)),
    );
  };

  async function handle(
    req: NextRequest,
    context: NextRouteContext | undefined,
    scope: ReturnType<typeof Sentry.getIsolationScope>,
    requestId: string,
  ): Promise<Response> {
    const started = performance.now();
    scope.setTags({ request_id: requestId, route: options.route });
    // The request as Sentry's RequestData integration describes it; beforeSend keeps only its method, scrubbed URL and
    // a few descriptive headers (src/lib/observability/scrub.ts).
    scope.setSDKProcessingMetadata({
      normalizedRequest: {
        method: req.method,
        url: req.url,
        query_string: req.nextUrl.search.replace(/^\?/, ""),
        headers: Object.fromEntries(req.headers),
      },
    });
    const log = logger.child({ requestId });
    let dataSource: string | undefined;
    let response: Response;
    let code: string | undefined;
    const ip = clientIp(req);
    const counted: LimitOutcome[] = [];
    const limit = async (rule: RuleName, subject: string | undefined, points?: number) => {
      try {
        const outcome = await enforce(rule, subject, points);
        counted.push(outcome);
        return outcome;
      } catch (error) {
        if (error instanceof AppError && error.headers && counted.length > 0) {
          // A refusal also reports the rules this request already passed.
          Object.assign(error.headers, {
            "RateLimit-Policy": `${rateLimitHeaders(counted)["RateLimit-Policy"]}, ${error.headers["RateLimit-Policy"]}`,
          });
        }
        throw error;
      }
    };

    try {
      const rule = options.rateLimit ?? (req.method === "GET" || req.method === "HEAD" ? "api.read" : "api.write");
      if (rule) await limit(rule, ip);
      const authorized = await options.authorize(req);
      const user = signedInUser(authorized);
      if (user) scope.setUser({ id: hashUserId(user.id), role: user.role });
      for (const guard of options.guards ?? []) await guard(req);
      const params = options.params ? parse(options.params, (await context?.params) ?? {}, "params") : undefined;
      const query = options.query ? parse(options.query, searchParamsToObject(req), "query") : undefined;
      const body = options.body
        ? parse(options.body, await readJson(req, options.maxBodyBytes ?? 65_536), "body")
        : undefined;
      const result = await handler(
        {
          req,
          params: params as Infer<P>,
          query: query as Infer<Q>,
          body: body as Infer<B>,
          requestId,
          log,
          setDataSource: (source) => {
            dataSource = source;
          },
          clientIp: ip,
          limit,
        },
        authorized,
      );
      const r = result instanceof Reply ? result : result instanceof Response ? null : reply(200, result);
      response =
        r === null
          ? (result as Response)
          : r.body === undefined
            ? new Response(null, { status: r.status, headers: r.headers })
            : Response.json(r.body, { status: r.status, headers: r.headers });
    } catch (error) {
      const appError = toAppError(error);
      code = appError.code;
      if (appError.status >= 500) {
        log.error({ err: error, code: appError.code, detail: appError.internalDetail }, "request failed");
        // Every 5xx is reported (once: an error already reported deeper, such as a webhook handler's, is not again).
        reportError(error, { requestId, route: options.route });
      }
      response = problemResponse(appError, requestId, new URL(req.url).pathname);
    }

    response.headers.set("X-Request-Id", requestId);
    response.headers.set("X-Data-Source", dataSource ?? safeDatabaseMode());
    if (counted.length > 0 && !response.headers.has("RateLimit")) {
      for (const [name, value] of Object.entries(rateLimitHeaders(counted))) response.headers.set(name, value);
    }
    if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
    const seconds = (performance.now() - started) / 1000;
    recordHttpRequest(options.route, req.method, response.status, seconds);
    log.info(
      {
        event: "http.request",
        method: req.method,
        route: options.route,
        path: new URL(req.url).pathname,
        status: response.status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(code ? { code } : {}),
      },
      "request",
    );
    return response;
  }
}

/** The caller an authorize step verified (adminRoute: userId and role), for the error-tracking user scope. */
function signedInUser(authorized: unknown): { id: string; role: string } | null {
  if (typeof authorized !== "object" || authorized === null) return null;
  const { userId, role } = authorized as { userId?: unknown; role?: unknown };
  return typeof userId === "string" && typeof role === "string" ? { id: userId, role } : null;
}

export function problemResponse(error: AppError, requestId: string, instance?: string): Response {
  const headers: Record<string, string> = { "Content-Type": "application/problem+json", "X-Request-Id": requestId };
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  if (error.headers) Object.assign(headers, error.headers);
  return new Response(JSON.stringify(toProblem(error, requestId, instance)), { status: error.status, headers });
}

function safeDatabaseMode(): string {
  try {
    return getModes().database;
  } catch {
    return "unknown";
  }
}

function searchParamsToObject(req: NextRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const params = new URL(req.url).searchParams;
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

async function readJson(req: NextRequest, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as application/json.");
  }
  const text = await readBodyText(req, maxBytes);
  if (text.trim() === "") throw new AppError("malformed_json", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid JSON.");
  }
}

/**
 * A request body as text, never more than maxBytes in memory: a Content-Length above the limit is refused before
 * anything is read, and the stream is cut off (413) as soon as it passes the limit, whether Content-Length was absent
 * or lied. Every API route that reads a body goes through this (raw webhook bodies included), never req.text().
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function payloadTooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `The body must be at most ${maxBytes} bytes.`);
}

function parse<S extends Schema>(schema: S, input: unknown, where: "params" | "query" | "body"): z.infer<S> {
  rejectControlCharacters(input, where);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error, where);
}

/**
 * 422 when any string in the input (object keys included) holds a control character other than tab, line feed and
 * carriage return, or an unpaired surrogate (src/lib/text.ts): checked for every route before its schema runs, so NUL,
 * which PostgreSQL refuses in text, never reaches a query whatever the schema allows.
 */
export function rejectControlCharacters(input: unknown, where: string): void {
  const found = findForbiddenControl(input);
  if (!found) return;
  const path = [where, ...found.path.map(String)].join(".");
  throw new AppError("validation_failed", `${path}: ${found.message}`, {
    errors: [{ path, message: found.message, code: "invalid_characters" }],
  });
}

export function validationError(error: z.ZodError, where?: string): AppError {
  const errors: FieldError[] = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
    code: issue.code,
  }));
  const first = errors[0];
  return new AppError("validation_failed", first ? `${first.path}: ${first.message}` : "Invalid input.", { errors });
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/** Maps anything thrown to an AppError; database connection failures become 503 so clients retry. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) return validationError(error);
  if (isConnectionError(error)) {
    return new AppError("dependency_unavailable", "The database is unavailable; try again shortly.", {
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  return new AppError("internal", "Something went wrong on our side. Quote the request id if you contact us.", {
    cause: error,
  });
}

export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
