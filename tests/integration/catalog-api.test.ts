import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getServices } from "@/app/api/services/route";
import { GET as getSlots } from "@/app/api/slots/route";
import { clock } from "@/lib/clock";
import type { PublicSlot } from "@/server/booking/availability";
import type { PublicService } from "@/server/catalog/services";
import { services } from "@/server/db/schema";
import { demoServices, seedDatabase } from "@/server/db/seed";
import { describeEachDatabase } from "../helpers/db";
import { withEnv, mocksOffEnv } from "../helpers/env";
import { insertService, insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

type ServicesBody = { services: PublicService[] };
type SlotsBody = { slots: PublicSlot[] };

const HOUR = 3_600_000;
const from = new Date("2030-01-10T00:00:00Z");
const at = (hours: number) => new Date(from.getTime() + hours * HOUR);

describeEachDatabase("catalog API", (ctx) => {
  let serviceId: string;
  let otherServiceId: string;

  beforeAll(async () => {
    await seedDatabase(ctx.db, {
      now: new Date(),
      timeZone: "Asia/Tokyo",
      currency: "JPY",
      accounts: { admin: {}, staff: {} },
    });
    serviceId = (await insertService(ctx.db, { slug: "api-test", sortOrder: 99, active: false })).id;
    otherServiceId = (await insertService(ctx.db, { slug: "api-other", sortOrder: 100, active: false })).id;
    await insertSlot(ctx.db, { serviceId, startsAt: at(3), capacity: 4, reserved: 1 });
    await insertSlot(ctx.db, { serviceId, startsAt: at(1), capacity: 2, reserved: 2 });
    await insertSlot(ctx.db, { serviceId, startsAt: at(2), capacity: 5, status: "closed" });
    await insertSlot(ctx.db, { serviceId, startsAt: at(4), capacity: 5, status: "cancelled" });
    await insertSlot(ctx.db, { serviceId, startsAt: at(24 * 30), capacity: 5 });
    await insertSlot(ctx.db, { serviceId: otherServiceId, startsAt: at(1), capacity: 9 });
  });

  describe("GET /api/services", () => {
    it("lists the seeded, active services in order, in Japanese by default", async () => {
      const res = await callRoute(getServices, "/api/services");
      const body = await expectJson<ServicesBody>(res);
      expect(body.services.map((s) => s.slug)).toEqual(demoServices.map((s) => s.slug));
      expect(body.services.map((s) => s.name)).toEqual(demoServices.map((s) => s.nameJa));
      const [first] = body.services;
      expect(first).toEqual({
        id: expect.any(String),
        slug: "first-consultation",
        name: "初回無料カウンセリング",
        description: demoServices[0]?.descriptionJa,
        durationMinutes: 30,
        price: { amount: 0, currency: "JPY" },
        capacity: 1,
      });
      expect(res.headers.get("x-data-source")).toBe(ctx.kind);
    });

    it.each([
      ["?locale=en", {}],
      ["", { "accept-language": "en-US,en;q=0.9,ja;q=0.8" }],
      ["", { cookie: "NEXT_LOCALE=en" }],
      ["?locale=en", { "accept-language": "ja" }],
    ])("names services in English for %s %o", async (search, headers) => {
      const body = await expectJson<ServicesBody>(await callRoute(getServices, `/api/services${search}`, { headers }));
      expect(body.services.map((s) => s.name)).toEqual(demoServices.map((s) => s.nameEn));
      expect(body.services[0]?.description).toBe(demoServices[0]?.descriptionEn);
    });

    it("prefers an explicit ?locale=ja over an English Accept-Language", async () => {
      const res = await callRoute(getServices, "/api/services?locale=ja", { headers: { "accept-language": "en" } });
      expect((await expectJson<ServicesBody>(res)).services[0]?.name).toBe("初回無料カウンセリング");
    });

    it("hides inactive services", async () => {
      await ctx.db.update(services).set({ active: false }).where(eq(services.slug, "tea-ceremony"));
      try {
        const body = await expectJson<ServicesBody>(await callRoute(getServices, "/api/services"));
        expect(body.services.map((s) => s.slug)).toEqual(["first-consultation", "morning-yoga", "washoku-cooking"]);
      } finally {
        await ctx.db.update(services).set({ active: true }).where(eq(services.slug, "tea-ceremony"));
      }
    });

    it("rejects an unsupported locale with 422 and the field path", async () => {
      const problem = await expectProblem(
        await callRoute(getServices, "/api/services?locale=fr"),
        422,
        "validation_failed",
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(["query.locale"]);
    });
  });

  describe("GET /api/slots", () => {
    const query = (extra = "") =>
      `/api/slots?serviceId=${serviceId}&from=${from.toISOString()}&to=${at(48).toISOString()}${extra}`;

    it("reads the service's slots from the database, ordered, without cancelled ones", async () => {
      const res = await callRoute(getSlots, query());
      const body = await expectJson<SlotsBody>(res);

      expect(res.headers.get("x-data-source")).toBe(ctx.kind);
      expect(body.slots.map((s) => [s.startsAt, s.capacity, s.remaining, s.status])).toEqual([
        [at(1).toISOString(), 2, 0, "sold_out"],
        [at(2).toISOString(), 5, 0, "closed"],
        [at(3).toISOString(), 4, 3, "open"],
      ]);
      expect(body.slots.every((s) => s.serviceId === serviceId)).toBe(true);
      expect(body.slots[0]?.endsAt).toBe(at(2).toISOString());
    });

    it("defaults the range to the next 14 days of the (test) clock", async () => {
      clock.set(at(-1), { freeze: true });
      const body = await expectJson<SlotsBody>(await callRoute(getSlots, `/api/slots?serviceId=${serviceId}`));
      expect(body.slots).toHaveLength(3);

      clock.set(at(2.5), { freeze: true });
      const later = await expectJson<SlotsBody>(await callRoute(getSlots, `/api/slots?serviceId=${serviceId}`));
      expect(later.slots.map((s) => s.startsAt)).toEqual([at(3).toISOString()]);
    });

    it.each([
      ["an invalid service id", "/api/slots?serviceId=not-a-uuid", ["query.serviceId"]],
      ["a missing service id", "/api/slots", ["query.serviceId"]],
      ["a date without offset", `/api/slots?serviceId=${crypto.randomUUID()}&from=2030-01-10`, ["query.from"]],
      [
        "a range that ends before it starts",
        `/api/slots?serviceId=${crypto.randomUUID()}&from=2030-01-10T00:00:00Z&to=2030-01-09T00:00:00Z`,
        ["query.to"],
      ],
      [
        "a range longer than 62 days",
        `/api/slots?serviceId=${crypto.randomUUID()}&from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z`,
        ["query.to"],
      ],
      ["an unknown source", `/api/slots?serviceId=${crypto.randomUUID()}&source=cache`, ["query.source"]],
    ])("answers 422 with field paths for %s", async (_case, path, paths) => {
      const problem = await expectProblem(await callRoute(getSlots, path), 422, "validation_failed");
      expect(problem.errors?.map((e) => e.path)).toEqual(paths);
      expect(problem.errors?.every((e) => e.message.length > 0)).toBe(true);
    });

    it("serves generated slots with X-Data-Source: mock for ?source=mock while mocks are allowed", async () => {
      const res = await callRoute(getSlots, query("&source=mock"));
      const body = await expectJson<SlotsBody>(res);

      expect(res.headers.get("x-data-source")).toBe("mock");
      // One slot an hour between 10:00 and 16:00 in Japan (01:00–07:00 UTC) on each of the two days.
      expect(body.slots).toHaveLength(14);
      expect(body.slots.every((s) => s.serviceId === serviceId)).toBe(true);
      expect(new Set(body.slots.map((s) => new Date(s.startsAt).getUTCHours()))).toEqual(
        new Set([1, 2, 3, 4, 5, 6, 7]),
      );
      // Deterministic: the same request gives the same slots.
      expect(await expectJson<SlotsBody>(await callRoute(getSlots, query("&source=mock")))).toEqual(body);
    });

    it("answers 403 mocks_disabled for ?source=mock when ALLOW_DEV_MOCKS=false, and still serves the database", async () => {
      await withEnv(mocksOffEnv(), async () => {
        const problem = await expectProblem(await callRoute(getSlots, query("&source=mock")), 403, "mocks_disabled");
        expect(problem.detail).toMatch(/ALLOW_DEV_MOCKS/);

        const res = await callRoute(getSlots, query());
        expect((await expectJson<SlotsBody>(res)).slots).toHaveLength(3);
        expect(res.headers.get("x-data-source")).toBe("postgres");
      });
      // And back with mocks on once the environment is restored.
      expect((await callRoute(getSlots, query("&source=mock"))).headers.get("x-data-source")).toBe("mock");
    });
  });
});
