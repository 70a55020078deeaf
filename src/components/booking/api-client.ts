/**
 * The pages' fetch helper (booking and /manage): JSON in, JSON or application/problem+json out. A network failure becomes the
 * problem code "network" so callers handle every outcome in one place.
 */
export type FieldProblem = { path: string; message: string };

export type Problem = {
  status: number;
  code: string;
  detail?: string;
  requestId?: string;
  errors: FieldProblem[];
  retryAfterSeconds?: number;
};

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; problem: Problem };

export async function postJson<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  return sendJson<T>("POST", url, body, headers);
}

/** Any method (the /manage screens PATCH and DELETE too); same-origin, so a session cookie goes with it. */
export async function sendJson<T>(
  method: "POST" | "PATCH" | "PUT" | "DELETE",
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, problem: { status: 0, code: "network", errors: [] } };
  }
  const text = await res.text().catch(() => "");
  const json = parseJson(text);
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  const p = (json ?? {}) as Partial<Problem>;
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    problem: {
      status: res.status,
      code: typeof p.code === "string" ? p.code : res.status >= 500 ? "internal" : "unknown",
      detail: typeof p.detail === "string" ? p.detail : undefined,
      requestId: typeof p.requestId === "string" ? p.requestId : (res.headers.get("x-request-id") ?? undefined),
      errors: Array.isArray(p.errors) ? p.errors.filter((e): e is FieldProblem => typeof e?.path === "string") : [],
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** Same-origin path of an absolute URL from the API, so links built from APP_BASE_URL stay on the site in use. */
export function localPath(url: string): string {
  try {
    const u = new URL(url, window.location.origin);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url;
  }
}

/** A fresh Idempotency-Key; falls back to getRandomValues where randomUUID is unavailable (plain-HTTP origins). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
