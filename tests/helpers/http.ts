import { NextRequest } from "next/server";
import { expect } from "vitest";
import type { ProblemDetails } from "@/lib/errors";

/**
 * Calls App Router route handlers directly, as Next.js would: a NextRequest in, a Response out. No server and no
 * port are involved.
 */
type RouteParams = Record<string, string | string[] | undefined>;
export type RouteHandler = (req: NextRequest, context?: { params: Promise<RouteParams> }) => Promise<Response>;

export type RequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  /** Serialised as the body with Content-Type: application/json (unless a content type is given). */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: string;
  /** Dynamic route params, e.g. { path: ["nope"] } for the catch-all. */
  params?: RouteParams;
};

export function apiRequest(path: string, options: RequestOptions = {}): NextRequest {
  const headers = new Headers(options.headers);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new NextRequest(new URL(path, "http://localhost"), {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
}

export function callRoute(handler: RouteHandler, path: string, options: RequestOptions = {}): Promise<Response> {
  return handler(apiRequest(path, options), { params: Promise.resolve(options.params ?? {}) });
}

/**
 * Asserts the RFC 9457 shape every error shares (status, code, application/problem+json, a request id equal to the
 * X-Request-Id header, no stack trace or source path) and returns the parsed body.
 */
export async function expectProblem(res: Response, status: number, code: string): Promise<ProblemDetails> {
  const text = await res.text();
  expect({ status: res.status, body: text }).toMatchObject({ status });
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(text).not.toMatch(/\bat .*\(?[\w/\\.-]+\.(ts|tsx|js|mjs):\d+/);
  expect(text).not.toMatch(/"stack"|node_modules|\/src\//);
  const problem = JSON.parse(text) as ProblemDetails;
  expect(problem).toMatchObject({ status, code, type: `/docs/http-errors#${code}` });
  expect(typeof problem.title).toBe("string");
  expect(typeof problem.detail).toBe("string");
  expect(problem.requestId).toBeTruthy();
  expect(problem.requestId).toBe(res.headers.get("x-request-id"));
  return problem;
}

export async function expectJson<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect({ status: res.status, body: text }).toMatchObject({ status });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return JSON.parse(text) as T;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
