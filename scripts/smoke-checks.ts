/**
 * The smoke checks against a running server, as a function so `npm run smoke` (scripts/smoke.ts) and the E2E suite
 * (tests/e2e/smoke.spec.ts) run exactly the same checks. Plain fetch only: no app imports, so it can point at any
 * deployment. Each check and what its failure means is described in docs/smoke.md.
 */

export type CheckResult = { check: string; ok: boolean; detail: string };

export type SmokeOptions = {
  /** Per-request timeout (default 30 s: a dev server compiles a route on its first request). */
  timeoutMs?: number;
};

/** The server did not answer at all (connection refused, DNS, timeout): nothing else can be checked. */
export class ServerUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`Cannot reach ${baseUrl} (${reason}).`);
    this.name = "ServerUnreachableError";
  }
}

type Fetched = { path: string; res: Response; text: string; json: unknown };

type Health = {
  status?: unknown;
  version?: unknown;
  db?: { ok?: unknown; latencyMs?: unknown };
  modes?: { database?: unknown; mocksAllowed?: unknown };
};

const REQUEST_ID_HEADER = "x-request-id";
const DATA_SOURCE_HEADER = "x-data-source";
const ANY_UUID = "00000000-0000-4000-8000-000000000000";

/** One smoke run: every check's row, and the version `/api/health` reported (undefined if it did not answer JSON). */
export type SmokeRun = { results: CheckResult[]; version: string | undefined };

export async function runSmokeChecks(baseUrl: string, options: SmokeOptions = {}): Promise<CheckResult[]> {
  return (await runSmoke(baseUrl, options)).results;
}

export async function runSmoke(baseUrl: string, options: SmokeOptions = {}): Promise<SmokeRun> {
  const base = baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const results: CheckResult[] = [];
  const seen: Fetched[] = [];

  const get = async (path: string, headers: Record<string, string> = {}): Promise<Fetched> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new ServerUnreachableError(base, networkReason(error));
    }
    const text = await res.text();
    const fetched = { path, res, text, json: parseJson(text) };
    seen.push(fetched);
    return fetched;
  };

  /** Runs one named check; an assertion failure becomes a FAIL row, an unreachable server stops the run. */
  const check = async (name: string, fn: () => Promise<string>): Promise<void> => {
    try {
      results.push({ check: name, ok: true, detail: await fn() });
    } catch (error) {
      if (error instanceof ServerUnreachableError) throw error;
      results.push({ check: name, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  let health: Health | undefined;
  await check("health", async () => {
    const { res, json } = await get("/api/health");
    health = (json ?? undefined) as Health | undefined;
    expect(
      res.status === 200,
      `GET /api/health → ${res.status}, expected 200 (db: ${JSON.stringify(health?.db ?? null)})`,
    );
    expect(health?.status === "ok", `status is ${JSON.stringify(health?.status)}, expected "ok"`);
    expect(health?.db?.ok === true, "db.ok is not true");
    return `200 ok, database ${String(health?.modes?.database)} (${String(health?.db?.latencyMs)} ms)`;
  });

  let serviceId: string | undefined;
  await check("services", async () => {
    const { res, json } = await get("/api/services");
    expect(res.status === 200, `GET /api/services → ${res.status}, expected 200`);
    const services = (json as { services?: unknown } | undefined)?.services;
    expect(Array.isArray(services), "body has no services array");
    expect(services.length > 0, "services is empty (is the database seeded?)");
    const withoutId = services.filter(
      (s) => typeof (s as { id?: unknown }).id !== "string" || !(s as { id: string }).id,
    );
    expect(withoutId.length === 0, `${withoutId.length} service(s) without an id`);
    serviceId = (services[0] as { id: string }).id;
    return `${services.length} service(s), first ${serviceId}`;
  });

  await check("slots", async () => {
    expect(serviceId !== undefined, "skipped: no service id from /api/services");
    const { res, json } = await get(`/api/slots?serviceId=${encodeURIComponent(serviceId)}`);
    expect(res.status === 200, `GET /api/slots → ${res.status}, expected 200`);
    const slots = (json as { slots?: unknown } | undefined)?.slots;
    expect(Array.isArray(slots), "body has no slots array");
    const source = res.headers.get(DATA_SOURCE_HEADER);
    expect(source !== null, "X-Data-Source header missing");
    const database = health?.modes?.database;
    if (typeof database === "string") {
      expect(source === database, `X-Data-Source is ${source}, health reports database ${database}`);
    }
    return `${slots.length} slot(s), X-Data-Source: ${source}`;
  });

  await check("home page", async () => {
    const { res, text } = await get("/");
    expect(res.status === 200, `GET / → ${res.status}, expected 200`);
    expect((res.headers.get("content-type") ?? "").includes("text/html"), "not text/html");
    expect(/<html[^>]*\blang="ja"/.test(text), 'no <html lang="ja">');
    return "200 text/html, lang=ja";
  });

  await check("problem+json on unknown API route", async () => {
    const { res, json, text } = await get(`/api/smoke-no-such-route-${Date.now()}`);
    expect(res.status === 404, `→ ${res.status}, expected 404`);
    assertProblem(res, json, text);
    return "404 application/problem+json with requestId, no stack";
  });

  await check("bad input → 422 with field paths", async () => {
    const { res, json, text } = await get("/api/slots?serviceId=not-a-uuid");
    expect(res.status === 422, `GET /api/slots?serviceId=not-a-uuid → ${res.status}, expected 422`);
    assertProblem(res, json, text);
    const errors = (json as { errors?: unknown }).errors;
    expect(Array.isArray(errors) && errors.length > 0, "errors[] missing or empty");
    const paths = errors.map((e) => (e as { path?: unknown }).path);
    expect(
      paths.every((p) => typeof p === "string" && p !== ""),
      "an error has no path",
    );
    expect(
      paths.some((p) => String(p).endsWith("serviceId")),
      `no error for serviceId (paths: ${paths.join(", ")})`,
    );
    return `422, errors[].path: ${paths.join(", ")}`;
  });

  await check("request id echo", async () => {
    const supplied = `smoke-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const { res } = await get("/api/health", { "X-Request-Id": supplied });
    const echoed = res.headers.get(REQUEST_ID_HEADER);
    expect(echoed === supplied, `sent ${supplied}, got ${echoed}`);
    const invalid = await get("/api/health", { "X-Request-Id": "bad id <script>" });
    const replaced = invalid.res.headers.get(REQUEST_ID_HEADER);
    expect(replaced !== null && replaced !== "bad id <script>", `an invalid id was echoed back (${replaced})`);
    return "valid id echoed, invalid id replaced";
  });

  await check("webhook refuses an unsigned delivery", async () => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/webhooks/stripe`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "evt_smoke_unsigned", object: "event", type: "checkout.session.completed" }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ServerUnreachableError(base, networkReason(error));
    }
    const text = await res.text();
    const json = parseJson(text);
    seen.push({ path: "/api/webhooks/stripe", res, text, json });
    expect(res.status === 400, `POST /api/webhooks/stripe without Stripe-Signature → ${res.status}, expected 400`);
    assertProblem(res, json, text);
    expect(
      (json as { code?: unknown }).code === "signature_invalid",
      `code is ${JSON.stringify((json as { code?: unknown }).code)}`,
    );
    return "400 signature_invalid, nothing stored";
  });

  const mocksAllowed = health?.modes?.mocksAllowed;
  if (mocksAllowed === true) {
    await check("dev: /api/dev/clock (mocks on)", async () => {
      const { res } = await get("/api/dev/clock");
      expect(res.status === 200, `GET /api/dev/clock → ${res.status}, expected 200 while mocks are allowed`);
      return "200";
    });
    await check("dev: /dev page (mocks on)", async () => {
      const { res } = await get("/dev");
      expect(res.status === 200, `GET /dev → ${res.status}, expected 200 while mocks are allowed`);
      return "200";
    });
    await check("dev: ?source=mock (mocks on)", async () => {
      const { res } = await get(`/api/slots?serviceId=${serviceId ?? ANY_UUID}&source=mock`);
      expect(res.status === 200, `→ ${res.status}, expected 200`);
      const source = res.headers.get(DATA_SOURCE_HEADER);
      expect(source === "mock", `X-Data-Source is ${source}, expected mock`);
      return "200, X-Data-Source: mock";
    });
  } else if (mocksAllowed === false) {
    await check("dev: /api/dev/clock hidden (mocks off)", async () => {
      const { res, json, text } = await get("/api/dev/clock");
      expect(res.status === 404, `GET /api/dev/clock → ${res.status}, expected 404 while mocks are off`);
      assertProblem(res, json, text);
      return "404 problem+json";
    });
    await check("dev: /dev page hidden (mocks off)", async () => {
      const { res } = await get("/dev");
      expect(res.status === 404, `GET /dev → ${res.status}, expected 404 while mocks are off`);
      return "404";
    });
    await check("dev: ?source=mock refused (mocks off)", async () => {
      const { res, json, text } = await get(`/api/slots?serviceId=${serviceId ?? ANY_UUID}&source=mock`);
      expect(res.status === 403, `→ ${res.status}, expected 403 while mocks are off`);
      assertProblem(res, json, text);
      return "403 problem+json";
    });
  } else {
    results.push({ check: "dev surface", ok: false, detail: "health did not report modes.mocksAllowed" });
  }

  // Last, so it covers every response above.
  await check("X-Request-Id on every response", async () => {
    const missing = seen.filter((f) => !f.res.headers.get(REQUEST_ID_HEADER)).map((f) => f.path);
    expect(missing.length === 0, `missing on: ${missing.join(", ")}`);
    return `${seen.length} response(s)`;
  });

  const version = health?.version;
  return { results, version: typeof version === "string" && version !== "" ? version : undefined };
}

/** A fixed-width table: check | result | detail. */
export function formatResults(results: CheckResult[]): string {
  const rows = [["check", "result", "detail"], ...results.map((r) => [r.check, r.ok ? "PASS" : "FAIL", r.detail])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => `${row[0]?.padEnd(widths[0] ?? 0)}  ${row[1]?.padEnd(widths[1] ?? 0)}  ${row[2]}`;
  const rule = `${"-".repeat(widths[0] ?? 0)}  ${"-".repeat(widths[1] ?? 0)}  ${"-".repeat(6)}`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join("\n");
}

function assertProblem(res: Response, json: unknown, text: string): asserts json is Record<string, unknown> {
  const type = res.headers.get("content-type") ?? "";
  expect(
    type.startsWith("application/problem+json"),
    `content-type is ${type || "missing"}, expected application/problem+json`,
  );
  expect(json !== undefined && typeof json === "object" && json !== null, "body is not JSON");
  const body = json as Record<string, unknown>;
  expect(typeof body.requestId === "string" && body.requestId !== "", "requestId missing from the body");
  expect(body.requestId === res.headers.get(REQUEST_ID_HEADER), "body requestId differs from the X-Request-Id header");
  expect(body.status === res.status, `body status ${String(body.status)} differs from HTTP ${res.status}`);
  expect(!("stack" in body) && !/\n\s+at \S/.test(text), "the response contains a stack trace");
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return "no answer in time";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
