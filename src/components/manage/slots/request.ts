import type { ApiResult, FieldProblem, Problem } from "@/components/booking/api-client";

/**
 * The slot screens' call to the admin API for any method (the booking pages' postJson only POSTs): same-origin
 * fetch, so the session cookie authenticates it and the origin check passes. JSON or problem+json back; a network
 * failure is the problem code "network".
 */
export async function sendJson<T>(method: "POST" | "PATCH" | "DELETE", url: string, body: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, problem: { status: 0, code: "network", errors: [] } };
  }
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  const p = (json ?? {}) as Partial<Problem>;
  const problem: Problem = {
    status: res.status,
    code: typeof p.code === "string" ? p.code : res.status >= 500 ? "internal" : "unknown",
    detail: typeof p.detail === "string" ? p.detail : undefined,
    requestId: typeof p.requestId === "string" ? p.requestId : (res.headers.get("x-request-id") ?? undefined),
    errors: Array.isArray(p.errors) ? p.errors.filter((e): e is FieldProblem => typeof e?.path === "string") : [],
  };
  return { ok: false, problem };
}

/** The message of the first field error under `path` (e.g. "body.capacity"), for the field it belongs to. */
export function fieldError(problem: Problem | null, path: string): string | undefined {
  return problem?.errors.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
}
