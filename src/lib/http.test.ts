import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { resetConfigForTests } from "./env";
import { AppError } from "./errors";
import { isConnectionError, reply, route, toAppError, validationError } from "./http";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new NextRequest(new URL(path, "http://localhost"), init);
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { status: number; code: string; detail: string; requestId: string; errors?: { path: string }[] };
}

beforeEach(() => {
  // The X-Data-Source default comes from the resolved env: make it the embedded default whatever the shell has.
  vi.stubEnv("DATABASE_URL", undefined);
  vi.stubEnv("ALLOW_DEV_MOCKS", undefined);
  resetConfigForTests();
});

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfigForTests();
});

describe("route()", () => {
  it("answers 200 JSON with X-Request-Id, X-Data-Source and Cache-Control: no-store", async () => {
    const handler = route({ route: "/t" }, async ({ requestId }) => ({ hello: "world", requestId }));
    const res = await handler(request("/t"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hello: string; requestId: string };
    expect(body.hello).toBe("world");
    expect(res.headers.get("x-request-id")).toBe(body.requestId);
    expect(body.requestId).toMatch(UUID);
    expect(res.headers.get("x-data-source")).toBe("pglite");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("uses a Reply's status, headers and empty body, and a handler's data source", async () => {
    const handler = route({ route: "/t" }, async ({ setDataSource }) => {
      setDataSource("mock");
      return reply(204, undefined, { "Cache-Control": "max-age=60", ETag: '"v1"' });
    });
    const res = await handler(request("/t"));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("cache-control")).toBe("max-age=60");
    expect(res.headers.get("etag")).toBe('"v1"');
    expect(res.headers.get("x-data-source")).toBe("mock");
  });

  it("parses params, query and body with field paths in 422 problems", async () => {
    const handler = route(
      {
        route: "/t/[id]",
        params: z.object({ id: z.uuid() }),
        query: z.object({ n: z.coerce.number().int().min(1) }),
        body: z.object({ name: z.string().min(1) }),
      },
      async ({ params, query, body }) => ({ params, query, body }),
    );
    const id = crypto.randomUUID();
    const ok = await handler(
      request("/t/x?n=3", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"a"}' }),
      { params: Promise.resolve({ id }) },
    );
    expect(await ok.json()).toEqual({ params: { id }, query: { n: 3 }, body: { name: "a" } });

    const badParams = await handler(request("/t/x?n=3", { method: "POST" }), { params: Promise.resolve({ id: "nope" }) });
    expect((await problemOf(badParams)).errors?.map((e) => e.path)).toEqual(["params.id"]);

    const badQuery = await handler(request("/t/x?n=0", { method: "POST" }), { params: Promise.resolve({ id }) });
    expect((await problemOf(badQuery)).errors?.map((e) => e.path)).toEqual(["query.n"]);

    const badBody = await handler(
      request("/t/x?n=1", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":""}' }),
      { params: Promise.resolve({ id }) },
    );
    const problem = await problemOf(badBody);
    expect(badBody.status).toBe(422);
    expect(problem.errors?.map((e) => e.path)).toEqual(["body.name"]);
  });

  it("accepts JSON media types with a suffix and refuses other types", async () => {
    const handler = route({ route: "/t", body: z.object({ a: z.number() }) }, async ({ body }) => body);
    const patch = await handler(
      request("/t", { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: '{"a":1}' }),
    );
    expect(await patch.json()).toEqual({ a: 1 });
    const text = await handler(request("/t", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"a":1}' }));
    expect(text.status).toBe(415);
  });

  it("runs guards before anything else", async () => {
    const handle = vi.fn(async () => ({}));
    const handler = route(
      {
        route: "/t",
        body: z.object({ a: z.number() }),
        guards: [
          () => {
            throw new AppError("unauthorized");
          },
        ],
      },
      handle,
    );
    const res = await handler(request("/t", { method: "POST", body: "not json" }));
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("unauthorized");
    expect(handle).not.toHaveBeenCalled();
  });

  it("maps thrown errors: AppError as is, ZodError to 422, connection failures to 503, anything else to 500", async () => {
    const throwing = (error: unknown) => route({ route: "/t" }, async () => Promise.reject(error));

    const conflict = await throwing(new AppError("sold_out", "No seats left."))(request("/t"));
    expect(conflict.status).toBe(409);
    expect(await problemOf(conflict)).toMatchObject({ code: "sold_out", detail: "No seats left." });

    const zod = await throwing(z.object({ a: z.string() }).safeParse({}).error)(request("/t"));
    expect(zod.status).toBe(422);

    const down = await throwing(new Error("query failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }))(
      request("/t"),
    );
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect((await problemOf(down)).code).toBe("dependency_unavailable");

    const bug = await throwing(new TypeError("x is undefined at /src/app/thing.ts:3:1"))(request("/t"));
    expect(bug.status).toBe(500);
    const text = JSON.stringify(await problemOf(bug));
    expect(text).not.toMatch(/undefined|thing\.ts/);
  });

  it("keeps a valid incoming request id in headers and problems", async () => {
    const handler = route({ route: "/t" }, async () => {
      throw new AppError("not_found");
    });
    const res = await handler(request("/t", { headers: { "x-request-id": "client-0000001" } }));
    expect(res.headers.get("x-request-id")).toBe("client-0000001");
    expect((await problemOf(res)).requestId).toBe("client-0000001");
  });
});

describe("toAppError / isConnectionError", () => {
  it("finds a connection error code along the cause chain", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isConnectionError(socket)).toBe(true);
    expect(isConnectionError(new Error("wrapped", { cause: new Error("again", { cause: socket }) }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error("admin shutdown"), { code: "57P01" }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error("unique violation"), { code: "23505" }))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });

  it("wraps unknown errors as internal and keeps the original as the cause", () => {
    const original = new Error("boom");
    const error = toAppError(original);
    expect(error.code).toBe("internal");
    expect(error.cause).toBe(original);
    expect(error.message).not.toContain("boom");
  });

  it("prefixes validation paths with where the input came from", () => {
    const result = z.object({ when: z.object({ from: z.string() }) }).safeParse({ when: { from: 1 } });
    if (result.success) throw new Error("expected a validation failure");
    const error = validationError(result.error, "body");
    expect(error.status).toBe(422);
    expect(error.errors?.map((e) => e.path)).toEqual(["body.when.from"]);
    expect(error.message).toMatch(/^body\.when\.from: /);
  });
});
