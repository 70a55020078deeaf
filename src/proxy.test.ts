import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/env";
import { mocksOffEnv } from "../tests/helpers/env";
import { proxy } from "./proxy";

const mocksOff = mocksOffEnv();

function withEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  resetConfigForTests();
}

const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, "http://localhost"), { headers });

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfigForTests();
});

describe("proxy: the development surface", () => {
  it.each(["/api/dev/clock", "/api/dev/reset", "/api/dev"])("answers 404 problem+json for %s while mocks are off", async (path) => {
    withEnv(mocksOff);
    const res = await proxy(request(path, { "x-request-id": "client-req-0001" }));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBe("client-req-0001");
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found", requestId: "client-req-0001" });
  });

  it.each(["/dev", "/dev/emails"])("answers a plain 404 for the page %s while mocks are off", async (path) => {
    withEnv(mocksOff);
    const res = await proxy(request(path));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("Not found");
  });

  it("hides the surface when the configuration cannot even be read", async () => {
    withEnv({ NODE_ENV: "production", ALLOW_DEV_MOCKS: "false" });
    expect((await proxy(request("/api/dev/clock"))).status).toBe(404);
  });

  it("lets the surface through while mocks are allowed, with a request id", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(request("/api/dev/clock"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-middleware-next")).toBe("1");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(["/developers", "/api/devices", "/api/health"])("never hides %s, which only looks similar", async (path) => {
    withEnv(mocksOff);
    expect((await proxy(request(path))).status).toBe(200);
  });

  it("passes the resolved request id on to the handler's request headers", async () => {
    withEnv({ ALLOW_DEV_MOCKS: "true" });
    const res = await proxy(request("/api/health", { "x-request-id": "client-req-0002" }));
    expect(res.headers.get("x-request-id")).toBe("client-req-0002");
    expect(res.headers.get("x-middleware-request-x-request-id")).toBe("client-req-0002");
  });
});
