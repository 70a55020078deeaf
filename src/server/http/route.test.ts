// Long on purpose: a test file: the route wrapper's cases, one per step of its pipeline.
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { resetConfigForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { authorizedRoute, isConnectionError, readBodyText, reply, route, toAppError, validationError } from "./route";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new NextRequest(new URL(path, "http://localhost"), init);
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as {
    status: number;
    code: string;
    detail: string;
    requestId: string;
    errors?: { path: string }[];
  };
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

    const badParams = await handler(request("/t/x?n=3", { method: "POST" }), {
      params: Promise.resolve({ id: "nope" }),
    });
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
    const text = await handler(
      request("/t", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"a":1}' }),
    );
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

    const down = await throwing(
      new Error("query failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }),
    )(request("/t"));
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

/** A body that counts what was pulled from it and whether it was cancelled; `chunks` of `size` bytes, or endless. */
function countingStream(size: number, chunks = Infinity) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= chunks) return controller.close();
      state.pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function streamed(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new NextRequest(new URL("/t", "http://localhost"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as ConstructorParameters<typeof NextRequest>[1]);
}

describe("request bodies are capped before and while reading", () => {
  const handler = route({ route: "/t", body: z.unknown(), maxBodyBytes: 1024 }, async () => ({ ok: true }));

  it("refuses a declared Content-Length above the limit without reading the body", async () => {
    const { stream, state } = countingStream(512);
    const res = await handler(streamed(stream, { "content-length": String(30 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    expect(state.pulled).toBeLessThanOrEqual(1); // a stream may be primed once on creation; nothing is read past it
  });

  it("cuts off a body without Content-Length as soon as it passes the limit", async () => {
    const { stream, state } = countingStream(512);
    const res = await handler(streamed(stream));
    expect(res.status).toBe(413);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(4);
  });

  it("cuts off a body whose Content-Length lies", async () => {
    const { stream, state } = countingStream(512);
    const res = await handler(streamed(stream, { "content-length": "10" }));
    expect(res.status).toBe(413);
    expect(state.pulled).toBeLessThanOrEqual(4);
  });

  it("reads a body within the limit, multi-byte text across chunks included", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "山田" }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    expect(await readBodyText(streamed(stream), 1024)).toBe('{"name":"山田"}');
    expect(await readBodyText(request("/t", { method: "POST", body: "x".repeat(1024) }), 1024)).toHaveLength(1024);
    await expect(readBodyText(request("/t", { method: "POST", body: "x".repeat(1025) }), 1024)).rejects.toMatchObject({
      code: "payload_too_large",
    });
    expect(await readBodyText(request("/t"), 10)).toBe("");
  });
});

describe("control characters are refused before any schema runs", () => {
  const handle = vi.fn(async () => ({ ok: true }));
  const handler = route(
    {
      route: "/t/[id]",
      params: z.object({ id: z.string() }),
      query: z.object({ q: z.string().optional() }),
      body: z.unknown(),
    },
    handle,
  );
  const call = (path: string, body: string, id = "x") =>
    handler(request(path, { method: "POST", headers: { "content-type": "application/json" }, body }), {
      params: Promise.resolve({ id }),
    });

  it.each([
    ["query", "/t/x?q=a%00b", "{}", "x", "query.q"],
    ["a query key", "/t/x?a%01=1", "{}", "x", "query.a\u0001"],
    ["params", "/t/x", "{}", "a\u0000b", "params.id"],
    ["a nested body string", "/t/x", '{"customer":{"name":"a\\u0000b"}}', "x", "body.customer.name"],
    ["an array item", "/t/x", '{"list":["ok","\\u007f"]}', "x", "body.list.1"],
    ["a body key", "/t/x", '{"a\\u001fb":1}', "x", "body.a\u001fb"],
  ])("422 for a control character in %s, naming the path", async (_case, path, body, id, expected) => {
    handle.mockClear();
    const res = await call(path, body, id);
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors?.map((e) => e.path)).toEqual([expected]);
    expect(handle).not.toHaveBeenCalled();
  });

  it("lets tabs and line breaks through (multi-line fields decide for themselves)", async () => {
    handle.mockClear();
    const res = await call("/t/x?q=a%09b", JSON.stringify({ message: "one\r\ntwo\tthree" }));
    expect(res.status).toBe(200);
    expect(handle).toHaveBeenCalledOnce();
  });
});

describe("authorizedRoute()", () => {
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  it("runs authorize once, before the guards, and hands its result to the handler", async () => {
    const order: string[] = [];
    const authorize = vi.fn(async () => {
      order.push("authorize");
      return { userId: "u-1" };
    });
    const handler = authorizedRoute(
      {
        route: "/t",
        rateLimit: false,
        authorize,
        guards: [() => void order.push("guard")],
        body: z.strictObject({ n: z.number() }),
      },
      async (_ctx, who) => {
        order.push("handler");
        return { who };
      },
    );
    const res = await handler(request("/t", json({ n: 1 })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ who: { userId: "u-1" } });
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(order).toEqual(["authorize", "guard", "handler"]);
  });

  it("a refusal from authorize answers before any parsing, and the handler never runs", async () => {
    const handlerBody = vi.fn(async () => ({}));
    const handler = authorizedRoute(
      {
        route: "/t",
        rateLimit: false,
        authorize: async () => {
          throw new AppError("unauthorized", "Sign in.");
        },
        body: z.strictObject({ n: z.number() }),
      },
      handlerBody,
    );
    const res = await handler(request("/t", json({ n: "not a number" })));
    expect((await problemOf(res)).code).toBe("unauthorized");
    expect(res.status).toBe(401);
    expect(handlerBody).not.toHaveBeenCalled();
  });
});
