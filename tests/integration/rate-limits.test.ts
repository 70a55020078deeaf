import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as getHealth } from "@/app/api/health/route";
import { POST as runCronCleanupRateLimits } from "@/app/api/cron/cleanup-rate-limits/route";
import { GET as getServices } from "@/app/api/services/route";
import { clock } from "@/lib/clock";
import { queryRows } from "@/server/db/client";
import { consume, resetRateLimitsForTests } from "@/server/security/rate-limit";
import {
  HOUR,
  T0,
  at,
  holdPayload,
  newService,
  postHold,
  slotReserved,
  snapshot,
  type HoldResponse,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { GENEROUS_LIMITS, TEST_CRON_SECRET, withEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

/**
 * Abuse protection through the real route handlers (issue 11): the per-client API limits with their headers, seat
 * hoarding and email bombing on POST /api/reservations, the three stores, what happens when the store is down, and
 * what /api/health says about it. Handlers are called directly, so the client address is the right-most
 * X-Forwarded-For entry (no proxy hops; the server's socket stamp is absent in tests).
 */
const from = (ip: string) => ({ "x-forwarded-for": ip });
const REDIS_URL = "redis://127.0.0.1:6379";

async function redisAnswers(): Promise<boolean> {
  const { Redis } = await import("ioredis");
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
  });
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describeEachDatabase("rate limits", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
    resetRateLimitsForTests();
  });
  afterEach(() => {
    clock.reset();
    resetRateLimitsForTests();
  });

  const paidSlot = async (capacity = 40) => {
    const service = await newService(ctx.db, { priceAmount: 1500 });
    return insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity });
  };

  describe("route wrapper", () => {
    it("counts GETs per client: RateLimit headers on every answer, 429 problem+json with Retry-After past the limit, other clients unaffected", async () => {
      await withEnv({ RATE_LIMITS: "api.read=3/60" }, async () => {
        for (let i = 3; i >= 1; i--) {
          const res = await callRoute(getServices, "/api/services", { headers: from("203.0.113.7") });
          expect(res.status).toBe(200);
          expect(res.headers.get("ratelimit-policy")).toBe('"api.read";q=3;w=60');
          expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"api\\.read";r=${i - 1};t=\\d+$`));
        }
        const refused = await callRoute(getServices, "/api/services", { headers: from("203.0.113.7") });
        const problem = await expectProblem(refused, 429, "rate_limited");
        expect(problem.detail).toMatch(/Too many requests/);
        const retryAfter = Number(refused.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(refused.headers.get("ratelimit")).toMatch(/^"api\.read";r=0;t=\d+$/);
        expect(refused.headers.get("ratelimit-policy")).toBe('"api.read";q=3;w=60');

        expect((await callRoute(getServices, "/api/services", { headers: from("198.51.100.9") })).status).toBe(200);
      });
    });

    it("a forged X-Forwarded-For entry does not make a new client: the address is counted from the right", async () => {
      await withEnv({ RATE_LIMITS: "api.read=2/60" }, async () => {
        const statuses: number[] = [];
        for (const forged of ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) {
          statuses.push(
            (await callRoute(getServices, "/api/services", { headers: from(`${forged}, 203.0.113.7`) })).status,
          );
        }
        expect(statuses).toEqual([200, 200, 429]);
      });
    });

    it("health and the Stripe webhook are not counted", async () => {
      await withEnv({ RATE_LIMITS: "api.read=1/60" }, async () => {
        for (let i = 0; i < 3; i++)
          expect((await callRoute(getHealth, "/api/health", { headers: from("203.0.113.7") })).status).toBe(200);
      });
    });
  });

  describe("seat hoarding (POST /api/reservations)", () => {
    const caps = { ...GENEROUS_LIMITS, MAX_HELD_SEATS_PER_CLIENT: "20", MAX_HELD_SEATS_PER_EMAIL: "10" };

    it("the finding, retried: one client trying to hold every seat of every slot ends at 20 seats; the rest are left for others", async () => {
      await withEnv(caps, async () => {
        const slots = [await paidSlot(40), await paidSlot(40), await paidSlot(40)];
        const outcomes: number[] = [];
        let held = 0;
        for (const slot of slots) {
          for (let i = 0; i < 6; i++) {
            const res = await postHold(
              holdPayload(slot.id, {
                quantity: 4,
                customer: { name: "買い占め", email: `bot${outcomes.length}@example.com` },
              }),
              undefined,
              from("203.0.113.66"),
            );
            outcomes.push(res.status);
            if (res.status === 201) held += 4;
            else await expectProblem(res, 429, "too_many_holds");
          }
        }
        expect(held).toBe(20);
        expect(outcomes.filter((s) => s === 201)).toHaveLength(5);
        expect(outcomes.filter((s) => s === 429)).toHaveLength(13);
        const reserved = await Promise.all(slots.map((s) => slotReserved(ctx.db, s.id)));
        expect(reserved.reduce((a, b) => a + b, 0)).toBe(20);

        // A real customer from another address still gets seats.
        const other = await postHold(holdPayload(slots[2]!.id, { quantity: 4 }), undefined, from("198.51.100.4"));
        expect(other.status).toBe(201);
      });
    });

    it("a refusal says why and when to retry (when the first hold expires), and changes nothing", async () => {
      await withEnv(caps, async () => {
        const slot = await paidSlot(40);
        for (let i = 0; i < 2; i++) {
          await expectJson(
            await postHold(
              holdPayload(slot.id, { quantity: 10, customer: { name: "A", email: `a${i}@example.com` } }),
              undefined,
              from("203.0.113.67"),
            ),
            201,
          );
        }
        const before = await snapshot(ctx.db);
        const res = await postHold(
          holdPayload(slot.id, { quantity: 1, customer: { name: "A", email: "a9@example.com" } }),
          undefined,
          from("203.0.113.67"),
        );
        const problem = await expectProblem(res, 429, "too_many_holds");
        expect(problem.detail).toMatch(/already hold 20 seat\(s\) awaiting payment \(at most 20 at once\)/);
        expect(Number(res.headers.get("retry-after"))).toBe(15 * 60);
        expect(await snapshot(ctx.db)).toEqual(before);

        // Seats paid for or released no longer count: once the holds expire, the client may hold again.
        clock.set(new Date(T0.getTime() + 16 * 60_000), { freeze: true });
        expect(
          (
            await postHold(
              holdPayload(slot.id, { quantity: 4, customer: { name: "A", email: "a10@example.com" } }),
              undefined,
              from("203.0.113.67"),
            )
          ).status,
        ).toBe(201);
      });
    });

    it("a family booking 4 seats, and five households behind one office NAT booking 4 each, all get through", async () => {
      await withEnv(caps, async () => {
        const slot = await paidSlot(40);
        for (let i = 0; i < 5; i++) {
          const res = await postHold(
            holdPayload(slot.id, { quantity: 4, customer: { name: `家族${i}`, email: `family${i}@example.com` } }),
            undefined,
            from("192.0.2.10"),
          );
          expect(res.status).toBe(201);
        }
        expect(await slotReserved(ctx.db, slot.id)).toBe(20);
      });
    });

    it("one email address holds at most 10 seats, whatever address it books from", async () => {
      await withEnv(caps, async () => {
        const slot = await paidSlot(40);
        await expectJson<HoldResponse>(
          await postHold(
            holdPayload(slot.id, { quantity: 6, customer: { name: "C", email: "c@example.com" } }),
            undefined,
            from("203.0.113.1"),
          ),
          201,
        );
        await expectJson<HoldResponse>(
          await postHold(
            holdPayload(slot.id, { quantity: 4, customer: { name: "C", email: "c@example.com" } }),
            undefined,
            from("203.0.113.2"),
          ),
          201,
        );
        const refused = await postHold(
          holdPayload(slot.id, { quantity: 1, customer: { name: "C", email: "C@Example.com" } }),
          undefined,
          from("203.0.113.3"),
        );
        const problem = await expectProblem(refused, 429, "too_many_holds");
        expect(problem.detail).toMatch(/at most 10 at once/);
        expect(await slotReserved(ctx.db, slot.id)).toBe(10);
      });
    });

    it("holds per client per minute (hold.ip): the 11th in a minute is 429 rate_limited", async () => {
      await withEnv({ ...caps, RATE_LIMITS: "hold.ip=10/60" }, async () => {
        const slot = await paidSlot(40);
        const statuses: number[] = [];
        for (let i = 0; i < 11; i++) {
          const res = await postHold(
            holdPayload(slot.id, { quantity: 1, customer: { name: "B", email: `b${i}@example.com` } }),
            undefined,
            from("203.0.113.77"),
          );
          statuses.push(res.status);
        }
        expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
        expect(statuses[10]).toBe(429);
        expect(await slotReserved(ctx.db, slot.id)).toBe(10);
      });
    });

    it("email bombing: free bookings naming one recipient are limited per hour (booking.email), from any address", async () => {
      await withEnv({ ...caps, RATE_LIMITS: "booking.email=5/3600" }, async () => {
        const service = await newService(ctx.db, { priceAmount: 0 });
        const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 40 });
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) {
          const res = await postHold(
            holdPayload(slot.id, { customer: { name: "被害者", email: "victim@example.com" } }),
            undefined,
            from(`203.0.113.${i + 1}`),
          );
          statuses.push(res.status);
        }
        expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
        const [row] = await queryRows<{ n: number }>(
          ctx.db,
          sql`select count(*)::int as n from notifications where recipient = 'victim@example.com'`,
        );
        expect(Number(row?.n)).toBe(5);
      });
    });
  });

  describe("stores", () => {
    it("postgres: counters live in rate_limits (shared by every instance), hashed; the cleanup job purges expired rows", async () => {
      await withEnv({ RATE_LIMIT_STORE: "postgres", RATE_LIMITS: "api.read=2/60" }, async () => {
        const first = await consume("api.read", "203.0.113.7");
        const second = await consume("api.read", "203.0.113.7");
        const third = await consume("api.read", "203.0.113.7");
        expect([first.allowed, second.allowed, third.allowed]).toEqual([true, true, false]);
        const rows = await queryRows<{ key: string; points: number }>(ctx.db, sql`select key, points from rate_limits`);
        expect(rows).toHaveLength(1);
        expect(rows[0]?.key).toMatch(/^rl:api\.read:/);
        expect(rows[0]?.key).not.toContain("203.0.113.7");
        expect(Number(rows[0]?.points)).toBe(3);

        await ctx.db.execute(sql`update rate_limits set expire = now() - interval '1 minute'`);
        const cleaned = await withEnv({ CRON_SECRET: TEST_CRON_SECRET }, () =>
          callRoute(runCronCleanupRateLimits, "/api/cron/cleanup-rate-limits", {
            method: "POST",
            headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
          }),
        );
        expect(await expectJson(cleaned)).toMatchObject({ job: "cleanup-rate-limits", status: "done", affected: 1 });
        // The expired api.read counter is gone; the only row left is the cron request's own api.write count.
        const left = await queryRows<{ key: string }>(ctx.db, sql`select key from rate_limits`);
        expect(left.map((r) => r.key.split(":").slice(0, 2).join(":"))).toEqual(["rl:api.write"]);
      });
    });

    it("postgres store down: reads fail open, sign-in rules fail closed (503), health says degraded", async () => {
      await withEnv({ RATE_LIMIT_STORE: "postgres" }, async () => {
        const { openUnreachableDatabase } = await import("../helpers/db");
        const down = await openUnreachableDatabase();
        try {
          await ctx.withDatabase(down, async () => {
            const read = await consume("api.read", "203.0.113.7");
            expect(read).toMatchObject({ allowed: true, storeDown: true });
            await expect(consume("signin.password.ip", "203.0.113.7")).rejects.toMatchObject({
              code: "dependency_unavailable",
              status: 503,
            });
          });
        } finally {
          await down.close();
        }
      });
    });

    it("redis: counts shared through REDIS_URL; down → reads pass, sign-in refused 503, /api/health reports it", async (test) => {
      if (!(await redisAnswers())) test.skip(`no Redis at ${REDIS_URL}`);
      const rules = `api.read=2/60,signin.password.ip=5/60`;
      await withEnv({ REDIS_URL, RATE_LIMITS: rules }, async () => {
        const subject = `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
        const outcomes = [
          await consume("api.read", subject),
          await consume("api.read", subject),
          await consume("api.read", subject),
        ];
        expect(outcomes.map((o) => o.allowed)).toEqual([true, true, false]);
        const health = await expectJson<{ rateLimit: { store: string; ok: boolean } }>(
          await callRoute(getHealth, "/api/health"),
        );
        expect(health.rateLimit).toMatchObject({ store: "redis", ok: true });
      });
      await withEnv({ REDIS_URL: "redis://127.0.0.1:1", RATE_LIMITS: rules }, async () => {
        expect(await consume("api.read", "203.0.113.7")).toMatchObject({ allowed: true, storeDown: true });
        await expect(consume("signin.password.ip", "203.0.113.7")).rejects.toMatchObject({
          code: "dependency_unavailable",
        });
        const res = await callRoute(getHealth, "/api/health");
        const health = await expectJson<{ status: string; rateLimit: { store: string; ok: boolean } }>(res);
        expect(health.status).toBe("degraded");
        expect(health.rateLimit).toMatchObject({ store: "redis", ok: false });
      });
    });

    it("memory (embedded default): /api/health reports the store as ok", async () => {
      const health = await expectJson<{ rateLimit: { store: string; ok: boolean } }>(
        await callRoute(getHealth, "/api/health"),
      );
      expect(health.rateLimit).toMatchObject({ store: "memory", ok: true });
    });
  });
});
