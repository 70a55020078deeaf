import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import * as cleanupRoute from "@/app/api/cron/cleanup-idempotency-keys/route";
import { clock } from "@/lib/clock";
import { queryRows, type Db } from "@/server/db/client";
import { idempotencyKeys } from "@/server/db/schema";
import { runJob, type JobResult } from "@/server/jobs/registry";
import { describeEachDatabase } from "../helpers/db";
import { TEST_CRON_SECRET, withEnv } from "../helpers/env";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

const PATH = "/api/cron/cleanup-idempotency-keys";
const HOUR = 3_600_000;
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function insertKeys(db: Db, label: string, count: number, expiresAt: Date): Promise<void> {
  await db.insert(idempotencyKeys).values(
    Array.from({ length: count }, (_, i) => ({
      scope: "test",
      key: `${label}-${i}`,
      method: "POST",
      path: "/api/reservations",
      requestHash: "hash",
      expiresAt,
    })),
  );
}

async function remainingKeys(db: Db): Promise<string[]> {
  const rows = await queryRows<{ key: string }>(db, sql`select key from idempotency_keys order by key`);
  return rows.map((r) => r.key);
}

describeEachDatabase("cron: cleanup-idempotency-keys", (ctx) => {
  beforeEach(async () => {
    await ctx.db.delete(idempotencyKeys);
    const now = clock.now().getTime();
    await insertKeys(ctx.db, "expired", 3, new Date(now - HOUR));
    await insertKeys(ctx.db, "live", 2, new Date(now + HOUR));
  });

  describe("guard", () => {
    it("answers 500 config_missing without CRON_SECRET, naming nothing internal, and runs nothing", async () => {
      const res = await callRoute(cleanupRoute.POST, PATH, { method: "POST", headers: bearer(TEST_CRON_SECRET) });
      const problem = await expectProblem(res, 500, "config_missing");
      expect(JSON.stringify(problem)).not.toMatch(/CRON_SECRET/);
      expect(await remainingKeys(ctx.db)).toHaveLength(5);
    });

    it.each([
      ["no Authorization header", {}],
      ["a wrong bearer token", bearer("wrong-secret-wrong-secret-wrong-secret")],
      ["the secret with a suffix", bearer(`${TEST_CRON_SECRET}x`)],
      ["the secret without the Bearer scheme", { authorization: TEST_CRON_SECRET }],
      ["a prefix of the secret", bearer(TEST_CRON_SECRET.slice(0, -1))],
    ])("answers 401 for %s and runs nothing", async (_case, headers) => {
      await withEnv({ CRON_SECRET: TEST_CRON_SECRET }, async () => {
        const res = await callRoute(cleanupRoute.POST, PATH, { method: "POST", headers });
        await expectProblem(res, 401, "unauthorized");
      });
      expect(await remainingKeys(ctx.db)).toHaveLength(5);
    });

    it("answers 403 for a user agent outside CRON_ALLOWED_USER_AGENTS and 200 for one inside", async () => {
      await withEnv(
        { CRON_SECRET: TEST_CRON_SECRET, CRON_ALLOWED_USER_AGENTS: "vercel-cron/, scheduler/" },
        async () => {
          const denied = await callRoute(cleanupRoute.POST, PATH, {
            method: "POST",
            headers: { ...bearer(TEST_CRON_SECRET), "user-agent": "curl/8.5.0" },
          });
          await expectProblem(denied, 403, "forbidden");
          expect(await remainingKeys(ctx.db)).toHaveLength(5);

          const allowed = await callRoute(cleanupRoute.POST, PATH, {
            method: "POST",
            headers: { ...bearer(TEST_CRON_SECRET), "user-agent": "scheduler/2.1 (+https://example.com)" },
          });
          expect((await expectJson<JobResult>(allowed)).affected).toBe(3);
        },
      );
    });

    it("answers 403 for a client address outside CRON_ALLOWED_IPS (the trusted address, TRUSTED_PROXY_HOPS=0 here) and 200 inside", async () => {
      await withEnv({ CRON_SECRET: TEST_CRON_SECRET, CRON_ALLOWED_IPS: "10.0.0.1, 10.0.0.2" }, async () => {
        const outside: Record<string, string>[] = [
          // A client claiming an allowed address in front of its own: the right-most entry (the one a proxy would
          // append, or here the caller itself) is what counts.
          { "x-forwarded-for": "10.0.0.1, 203.0.113.9" },
          // X-Real-IP is not read at all: any client can send it.
          { "x-real-ip": "10.0.0.1" },
          {},
        ];
        for (const headers of outside) {
          const res = await callRoute(cleanupRoute.POST, PATH, {
            method: "POST",
            headers: { ...bearer(TEST_CRON_SECRET), ...headers },
          });
          await expectProblem(res, 403, "forbidden");
        }
        expect(await remainingKeys(ctx.db)).toHaveLength(5);

        const allowed = await callRoute(cleanupRoute.POST, PATH, {
          method: "POST",
          headers: { ...bearer(TEST_CRON_SECRET), "x-forwarded-for": "10.0.0.2" },
        });
        expect((await expectJson<JobResult>(allowed)).affected).toBe(3);
      });
    });
  });

  describe("job", () => {
    it("with the right bearer token deletes the expired keys only", async () => {
      await withEnv({ CRON_SECRET: TEST_CRON_SECRET }, async () => {
        const res = await callRoute(cleanupRoute.POST, PATH, { method: "POST", headers: bearer(TEST_CRON_SECRET) });
        const body = await expectJson<JobResult>(res);
        expect(body).toMatchObject({ job: "cleanup-idempotency-keys", status: "done", affected: 3 });
        expect(await remainingKeys(ctx.db)).toEqual(["live-0", "live-1"]);

        const again = await callRoute(cleanupRoute.GET, PATH, { headers: bearer(TEST_CRON_SECRET) });
        expect(await expectJson<JobResult>(again)).toMatchObject({ status: "done", affected: 0 });
        expect(await remainingKeys(ctx.db)).toEqual(["live-0", "live-1"]);
      });
    });

    it("decides what is expired by clock.now(), so the test clock can age keys", async () => {
      clock.advance(2 * HOUR);
      expect(await runJob("cleanup-idempotency-keys")).toMatchObject({ status: "done", affected: 5 });
      expect(await remainingKeys(ctx.db)).toEqual([]);
    });

    it("two concurrent runs together delete each expired key exactly once", async () => {
      await insertKeys(ctx.db, "bulk", 40, new Date(clock.now().getTime() - HOUR));
      const results = await Promise.all([runJob("cleanup-idempotency-keys"), runJob("cleanup-idempotency-keys")]);

      for (const result of results) expect(["done", "skipped"]).toContain(result.status);
      expect(results.some((r) => r.status === "done")).toBe(true);
      expect(results.reduce((sum, r) => sum + r.affected, 0)).toBe(43);
      expect(await remainingKeys(ctx.db)).toEqual(["live-0", "live-1"]);
    });

    it.runIf(ctx.kind === "postgres")(
      "reports skipped, touching nothing, while another instance holds the job lock",
      async () => {
        let release!: () => void;
        let locked!: () => void;
        const lockTaken = new Promise<void>((resolve) => (locked = resolve));
        const otherInstance = ctx.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${"job:cleanup-idempotency-keys"}))`);
          locked();
          await new Promise<void>((resolve) => (release = resolve));
        });
        await lockTaken;
        try {
          expect(await runJob("cleanup-idempotency-keys")).toMatchObject({ status: "skipped", affected: 0 });
          expect(await remainingKeys(ctx.db)).toHaveLength(5);
        } finally {
          release();
          await otherInstance;
        }
        expect(await runJob("cleanup-idempotency-keys")).toMatchObject({ status: "done", affected: 3 });
      },
    );
  });
});
