import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import * as catchAll from "@/app/api/[...path]/route";
import * as devClock from "@/app/api/dev/clock/route";
import { POST as devError } from "@/app/api/dev/error/route";
import { POST as devReset } from "@/app/api/dev/reset/route";
import { GET as getServices } from "@/app/api/services/route";
import { GET as getSlots } from "@/app/api/slots/route";
import { clock } from "@/lib/clock";
import { queryRows, type DatabaseHandle, type Db } from "@/server/db/client";
import { describeEachDatabase } from "../helpers/db";
import { mocksOffEnv, setEnv, withEnv } from "../helpers/env";
import { insertService } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem, UUID, type RouteHandler } from "../helpers/http";

type ClockBody = { mode: string; now: string; offsetMs: number; frozen: boolean };

const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

describeEachDatabase("HTTP conventions", (ctx) => {
  describe("unknown API routes", () => {
    it.each(methods)("%s answers 404 problem+json", async (method) => {
      const handler = catchAll[method] as RouteHandler;
      const res = await callRoute(handler, "/api/no/such/route", { method, params: { path: ["no", "such", "route"] } });
      const problem = await expectProblem(res, 404, "not_found");
      expect(problem.instance).toBe("/api/no/such/route");
      expect(res.headers.get("x-data-source")).toBe(ctx.kind);
    });
  });

  describe("request ids", () => {
    it("echoes a valid incoming X-Request-Id on success and in problems", async () => {
      const ok = await callRoute(getServices, "/api/services", { headers: { "x-request-id": "client-req-0001" } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-id")).toBe("client-req-0001");

      const notFound = await callRoute(catchAll.GET, "/api/nope", { headers: { "x-request-id": "client-req-0002" } });
      expect((await expectProblem(notFound, 404, "not_found")).requestId).toBe("client-req-0002");
    });

    it.each([
      ["too short", "abc"],
      ["with spaces and markup", "id with <script>"],
      ["too long", "x".repeat(129)],
    ])("replaces an invalid one (%s) with a generated id", async (_case, incoming) => {
      const res = await callRoute(catchAll.GET, "/api/nope", { headers: { "x-request-id": incoming } });
      const problem = await expectProblem(res, 404, "not_found");
      expect(problem.requestId).toMatch(UUID);
      expect(problem.requestId).not.toBe(incoming);
    });

    it("generates a fresh id for each request without one", async () => {
      const a = await callRoute(getServices, "/api/services");
      const b = await callRoute(getServices, "/api/services");
      expect(a.headers.get("x-request-id")).toMatch(UUID);
      expect(b.headers.get("x-request-id")).toMatch(UUID);
      expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
    });
  });

  describe("bad input", () => {
    it("answers 400 malformed_json for a body that is not JSON", async () => {
      const res = await callRoute(devClock.POST, "/api/dev/clock", {
        body: '{"action": "set", ',
        headers: { "content-type": "application/json" },
      });
      expect((await expectProblem(res, 400, "malformed_json")).detail).toMatch(/not valid JSON/);
    });

    it("answers 400 malformed_json for an empty JSON body", async () => {
      const res = await callRoute(devClock.POST, "/api/dev/clock", {
        method: "POST",
        headers: { "content-type": "application/json" },
      });
      await expectProblem(res, 400, "malformed_json");
    });

    it("answers 415 for a body that is not declared as JSON", async () => {
      const res = await callRoute(devClock.POST, "/api/dev/clock", {
        body: "action=reset",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      await expectProblem(res, 415, "unsupported_media_type");
    });

    it("answers 413 for a body above the limit", async () => {
      const res = await callRoute(devClock.POST, "/api/dev/clock", {
        json: { action: "reset", pad: "x".repeat(70_000) },
      });
      await expectProblem(res, 413, "payload_too_large");
    });

    it("answers 422 with body field paths for JSON that parses but is invalid", async () => {
      const res = await callRoute(devClock.POST, "/api/dev/clock", { json: { action: "advance", ms: -5 } });
      const problem = await expectProblem(res, 422, "validation_failed");
      expect(problem.errors?.map((e) => e.path)).toEqual(["body.ms"]);
      expect(problem.detail).toMatch(/^body\.ms: /);
    });

    it("keeps the clock where it was after rejected input", async () => {
      const before = clock.describe().offsetMs;
      await callRoute(devClock.POST, "/api/dev/clock", { json: { action: "advance", ms: "soon" } });
      expect(clock.describe().offsetMs).toBe(before);
    });
  });

  describe("unexpected errors", () => {
    it("answer 500 with a generic detail: no message, stack trace or path from the error", async () => {
      const broken: DatabaseHandle = {
        kind: ctx.kind,
        db: {
          transaction: async () => {
            throw new Error("kaboom: password=hunter2 at /srv/app/src/server/db/secret.ts:12:3");
          },
        } as unknown as Db,
        close: async () => {},
      };
      const res = await ctx.withDatabase(broken, () => callRoute(getServices, "/api/services"));
      const problem = await expectProblem(res, 500, "internal");
      expect(JSON.stringify(problem)).not.toMatch(/kaboom|hunter2|secret\.ts/);
      expect(problem.detail).toMatch(/request id/);
    });
  });

  describe("/api/dev/clock while mocks are allowed", () => {
    it("reads, sets, advances and resets the test clock that clock.now() follows", async () => {
      const read = await expectJson<ClockBody>(await callRoute(devClock.GET, "/api/dev/clock"));
      expect(read).toMatchObject({ mode: "test", frozen: false });

      const set = await expectJson<ClockBody>(
        await callRoute(devClock.POST, "/api/dev/clock", {
          json: { action: "set", to: "2030-01-10T09:00:00+09:00", freeze: true },
        }),
      );
      expect(set).toMatchObject({ mode: "test", now: "2030-01-10T00:00:00.000Z", frozen: true });
      expect(clock.now().toISOString()).toBe("2030-01-10T00:00:00.000Z");

      const advanced = await expectJson<ClockBody>(
        await callRoute(devClock.POST, "/api/dev/clock", { json: { action: "advance", ms: 90 * 60_000 } }),
      );
      expect(advanced.now).toBe("2030-01-10T01:30:00.000Z");
      expect(clock.now().toISOString()).toBe("2030-01-10T01:30:00.000Z");

      const reset = await expectJson<ClockBody>(
        await callRoute(devClock.POST, "/api/dev/clock", { json: { action: "reset" } }),
      );
      expect(reset).toMatchObject({ offsetMs: 0, frozen: false });
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
    });

    it("refuses to move the clock in system mode (CLOCK=system)", async () => {
      await withEnv({ CLOCK: "system" }, async () => {
        const res = await callRoute(devClock.POST, "/api/dev/clock", { json: { action: "advance", ms: 1000 } });
        await expectProblem(res, 409, "invalid_state");
      });
      expect(clock.describe().offsetMs).toBe(0);
    });
  });

  describe("/api/dev/reset", () => {
    let restoreEnv: () => void;
    let dataDir: string;

    beforeAll(() => {
      // Seeding writes generated sign-ins to <DATA_DIR>/seed-credentials.json: keep them out of the repository.
      dataDir = mkdtempSync(path.join(os.tmpdir(), "slotbook-reset-"));
      restoreEnv = setEnv({ DATA_DIR: dataDir });
    });

    afterAll(() => {
      restoreEnv();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const countServices = async () =>
      Number((await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from services`))[0]?.n);

    it.runIf(ctx.kind === "pglite")("empties and re-seeds the embedded database", async () => {
      // The seed prints the generated demo sign-ins for the developer; not wanted in test output.
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      onTestFinished(() => log.mockRestore());
      await insertService(ctx.db, { slug: "to-be-wiped" });
      const res = await callRoute(devReset, "/api/dev/reset", { method: "POST" });
      const body = await expectJson<{ reset: boolean; services: number; slots: number; accounts: { role: string }[] }>(
        res,
      );
      expect(body).toMatchObject({ reset: true, services: 4 });
      expect(body.slots).toBeGreaterThan(0);
      expect(body.accounts.map((a) => a.role)).toEqual(["admin", "staff"]);
      expect(JSON.stringify(body)).not.toMatch(/password/i);
      expect(await countServices()).toBe(4);
      expect(log).toHaveBeenCalled();
    });

    it.runIf(ctx.kind === "postgres")("refuses to wipe PostgreSQL (409) and leaves it as it was", async () => {
      await insertService(ctx.db, { slug: "must-survive" });
      const before = await countServices();
      await expectProblem(await callRoute(devReset, "/api/dev/reset", { method: "POST" }), 409, "invalid_state");
      expect(await countServices()).toBe(before);
    });
  });

  describe("the development surface while mocks are off", () => {
    it.each([
      ["GET", "/api/dev/clock", devClock.GET, undefined],
      ["POST", "/api/dev/clock", devClock.POST, { action: "advance", ms: 60_000 }],
      ["POST", "/api/dev/reset", devReset, {}],
      ["POST", "/api/dev/error", devError, {}],
    ] as const)("%s %s answers 404 problem+json from the handler itself", async (method, urlPath, handler, json) => {
      await withEnv(mocksOffEnv(), async () => {
        const res = await callRoute(handler, urlPath, json === undefined ? { method } : { method, json });
        await expectProblem(res, 404, "not_found");
      });
      expect(clock.describe().offsetMs).toBe(0);
    });

    it("keeps the rest of the API working with the same configuration", async () => {
      await withEnv(mocksOffEnv(), async () => {
        const res = await callRoute(getSlots, `/api/slots?serviceId=${crypto.randomUUID()}`);
        expect((await expectJson<{ slots: unknown[] }>(res)).slots).toEqual([]);
      });
    });
  });
});
