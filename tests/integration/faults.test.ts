import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { POST as runCleanup } from "@/app/api/cron/cleanup-idempotency-keys/route";
import { GET as getServices } from "@/app/api/services/route";
import { GET as getSlots } from "@/app/api/slots/route";
import { queryRows, type DatabaseHandle } from "@/server/db/client";
import { idempotencyKeys } from "@/server/db/schema";
import { describeEachDatabase, openUnreachableDatabase } from "../helpers/db";
import { setEnv, TEST_CRON_SECRET } from "../helpers/env";
import { insertService, insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import { schemaFingerprint } from "../helpers/schema-fingerprint";

/** The database going away is a 503 with Retry-After that changes nothing; the same requests work once it is back. */
describeEachDatabase("database down", (ctx) => {
  let unreachable: DatabaseHandle;
  let restoreEnv: () => void;
  let serviceId: string;
  const startsAt = new Date("2030-03-01T01:00:00Z");
  const slotsPath = () => `/api/slots?serviceId=${serviceId}&from=2030-03-01T00:00:00Z&to=2030-03-02T00:00:00Z`;

  const snapshot = async () => ({
    keys: await queryRows<{ key: string }>(ctx.db, sql`select key from idempotency_keys order by key`),
    slots: await queryRows<{ reserved: number; status: string }>(
      ctx.db,
      sql`select reserved, status from slots order by starts_at`,
    ),
    schema: await schemaFingerprint(ctx.db),
  });

  beforeAll(async () => {
    unreachable = await openUnreachableDatabase();
    restoreEnv = setEnv({ CRON_SECRET: TEST_CRON_SECRET });
    serviceId = (await insertService(ctx.db, { slug: "fault-test" })).id;
    await insertSlot(ctx.db, { serviceId, startsAt, capacity: 4, reserved: 1 });
    await ctx.db.insert(idempotencyKeys).values({
      scope: "test",
      key: "expired",
      method: "POST",
      path: "/api/reservations",
      requestHash: "hash",
      expiresAt: new Date("2000-01-01T00:00:00Z"),
    });
  });

  afterAll(async () => {
    restoreEnv?.();
    await unreachable?.close();
  });

  it.each([
    ["GET /api/slots", () => callRoute(getSlots, slotsPath())],
    ["GET /api/services", () => callRoute(getServices, "/api/services")],
    [
      "POST /api/cron/cleanup-idempotency-keys",
      () =>
        callRoute(runCleanup, "/api/cron/cleanup-idempotency-keys", {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
        }),
    ],
  ])("%s answers 503 problem+json with Retry-After and changes nothing", async (_name, request) => {
    const before = await snapshot();
    const res = await ctx.withDatabase(unreachable, request);

    expect(res.headers.get("retry-after")).toBe("5");
    const problem = await expectProblem(res, 503, "dependency_unavailable");
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(await snapshot()).toEqual(before);
  });

  it("serves the same requests once the database is back", async () => {
    const slots = await expectJson<{ slots: { remaining: number }[] }>(await callRoute(getSlots, slotsPath()));
    expect(slots.slots.map((s) => s.remaining)).toEqual([3]);
    const cleanup = await callRoute(runCleanup, "/api/cron/cleanup-idempotency-keys", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
    });
    expect(await expectJson<{ affected: number }>(cleanup)).toMatchObject({ status: "done", affected: 1 });
  });
});
