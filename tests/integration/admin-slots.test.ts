import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PATCH as patchSlotRoute } from "@/app/api/admin/slots/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/admin/slots/route";
import { GET as servicesRoute } from "@/app/api/admin/services/route";
import { clock } from "@/lib/clock";
import type { AdminService, AdminSlot } from "@/server/admin/slots";
import { queryRows } from "@/server/db/client";
import { signedInAs, bearer, type SignedIn } from "../helpers/auth";
import { HOUR, T0, at, holdOk, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem, UUID } from "../helpers/http";

type Calendar = { from: string; to: string; timeZone: string; slots: AdminSlot[]; truncated: boolean };
type SlotBody = {
  slot: {
    id: string;
    serviceId: string;
    startsAt: string;
    endsAt: string;
    capacity: number;
    reserved: number;
    status: string;
  };
};
type AuditRow = {
  action: string;
  actor_id: string | null;
  actor_role: string;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
};

/**
 * The slot calendar API: GET/POST /api/admin/slots and PATCH /api/admin/slots/[id], behind the staff role check, with
 * reads under RLS and every change audited (actor id and role, reason, request id, IP). T0 is Monday 2030-01-07 09:00
 * in Tokyo, frozen, so the week of T0 runs from 2030-01-06T15:00Z to 2030-01-13T15:00Z.
 */
describeEachDatabase("admin API: slots", (ctx) => {
  const who = {} as Record<"staff" | "admin" | "user", SignedIn>;
  let requestSeq = 0;

  // The setup file resets the clock after each test; tokens are issued at T0 so they are valid at T0.
  beforeAll(async () => {
    clock.set(T0, { freeze: true });
    who.staff = await signedInAs(ctx.db, "staff");
    who.admin = await signedInAs(ctx.db, "admin");
    who.user = await signedInAs(ctx.db, "user");
  });
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });

  /** Headers of a traceable staff request: bearer token, a request id of our own and the client address. */
  const traced = (as: SignedIn | null = who.staff) => {
    const requestId = `req-slots-${++requestSeq}-${crypto.randomUUID().slice(0, 8)}`;
    return { requestId, headers: { ...bearer(as), "x-request-id": requestId, "x-forwarded-for": "203.0.113.7" } };
  };
  const list = (query = "", as: SignedIn | null = who.staff) =>
    callRoute(listRoute, `/api/admin/slots${query}`, { headers: bearer(as) });
  const create = (json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(createRoute, "/api/admin/slots", { method: "POST", json, headers });
  const patch = (id: string, json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(patchSlotRoute, `/api/admin/slots/${id}`, { method: "PATCH", json, headers, params: { id } });
  const auditOf = (entityId: string) =>
    queryRows<AuditRow>(
      ctx.db,
      sql`select action, actor_id::text as actor_id, actor_role, reason, request_id, ip, before, after from audit_log where entity_id = ${entityId} order by id`,
    );

  describe("guards", () => {
    it("answers 401 without a session and 403 to a customer on every route, before reading the input", async () => {
      const id = crypto.randomUUID();
      for (const as of [null, who.user] as const) {
        const [status, code] = as ? [403, "forbidden"] : [401, "unauthorized"];
        await expectProblem(await list("?from=not-a-date", as), status, code);
        await expectProblem(await create({ nonsense: true }, bearer(as)), status, code);
        await expectProblem(await patch(id, { capacity: -5 }, bearer(as)), status, code);
        await expectProblem(
          await callRoute(servicesRoute, "/api/admin/services", { headers: bearer(as) }),
          status,
          code,
        );
      }
    });
  });

  describe("GET /api/admin/slots", () => {
    it("returns the week's slots with service, seats and status; filters by service; staff and admins alike", async () => {
      const yoga = await newService(ctx.db, { nameJa: "ヨガ", nameEn: "Yoga" });
      const pilates = await newService(ctx.db);
      const mon = await insertSlot(ctx.db, { serviceId: yoga.id, startsAt: at(2 * HOUR), capacity: 5 });
      const sunLate = await insertSlot(ctx.db, {
        serviceId: pilates.id,
        startsAt: new Date("2030-01-13T14:30:00Z"),
        status: "cancelled",
      });
      await insertSlot(ctx.db, { serviceId: yoga.id, startsAt: new Date("2030-01-13T15:00:00Z") }); // next Monday 00:00 Tokyo
      await holdOk(mon.id, { quantity: 2 });

      const week = await expectJson<Calendar>(await list());
      expect(week).toMatchObject({
        from: "2030-01-06T15:00:00.000Z",
        to: "2030-01-13T15:00:00.000Z",
        timeZone: "Asia/Tokyo",
        truncated: false,
      });
      const mine = week.slots.filter((s) => [yoga.id, pilates.id].includes(s.service.id));
      // Cancelled slots are hidden from the public by RLS, but staff read them.
      expect(mine.map((s) => [s.id, s.status])).toEqual([
        [mon.id, "open"],
        [sunLate.id, "cancelled"],
      ]);
      expect(mine[0]).toEqual({
        id: mon.id,
        service: { id: yoga.id, slug: yoga.slug, nameJa: "ヨガ", nameEn: "Yoga" },
        startsAt: at(2 * HOUR).toISOString(),
        endsAt: at(3 * HOUR).toISOString(),
        capacity: 5,
        reserved: 2,
        held: 2,
        status: "open",
        ruleId: null,
      });

      const onlyYoga = await expectJson<Calendar>(
        await list(`?serviceId=${yoga.id}&from=2030-01-07&to=2030-01-15`, who.admin),
      );
      expect(onlyYoga.slots.map((s) => s.id)).toHaveLength(2);
      expect(onlyYoga.slots.every((s) => s.service.id === yoga.id)).toBe(true);
      const byInstant = await expectJson<Calendar>(
        await list(`?serviceId=${yoga.id}&from=${encodeURIComponent("2030-01-13T15:00:00Z")}`),
      );
      expect(byInstant).toMatchObject({ from: "2030-01-13T15:00:00.000Z", to: "2030-01-20T15:00:00.000Z" });
      expect(byInstant.slots).toHaveLength(1);
    });

    it("rejects a bad query with 422 and field paths", async () => {
      const bad = await expectProblem(await list("?from=2030-02-30&serviceId=nope&extra=1"), 422, "validation_failed");
      expect(bad.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["query.from", "query.serviceId"]));
      const backwards = await expectProblem(await list("?from=2030-01-10&to=2030-01-09"), 422, "validation_failed");
      expect(backwards.errors?.map((e) => e.path)).toEqual(["query.to"]);
      await expectProblem(await list("?from=2030-01-01&to=2030-06-01"), 422, "validation_failed");
    });

    it("lists every service for the pickers, inactive ones included", async () => {
      const hidden = await newService(ctx.db, { active: false });
      const body = await expectJson<{ services: AdminService[] }>(
        await callRoute(servicesRoute, "/api/admin/services", { headers: bearer(who.staff) }),
      );
      expect(body.services.find((s) => s.id === hidden.id)).toMatchObject({
        active: false,
        defaultCapacity: 4,
        durationMinutes: 60,
      });
    });
  });

  describe("POST /api/admin/slots", () => {
    it("creates a slot at a Tokyo wall-clock time with the service's capacity and an audit row naming the operator", async () => {
      const service = await newService(ctx.db, { defaultCapacity: 6, durationMinutes: 90 });
      const { requestId, headers } = traced();
      const { slot } = await expectJson<SlotBody>(
        await create({ serviceId: service.id, date: "2030-01-09", time: "14:30", reason: "  extra class  " }, headers),
        201,
      );
      expect(slot).toMatchObject({
        serviceId: service.id,
        startsAt: "2030-01-09T05:30:00.000Z",
        endsAt: "2030-01-09T07:00:00.000Z",
        capacity: 6,
        reserved: 0,
        status: "open",
      });
      expect(slot.id).toMatch(UUID);
      expect(await auditOf(slot.id)).toEqual([
        {
          action: "slot.created",
          actor_id: who.staff.userId,
          actor_role: "staff",
          reason: "extra class",
          request_id: requestId,
          ip: "203.0.113.7",
          before: null,
          after: { startsAt: "2030-01-09T05:30:00.000Z", capacity: 6 },
        },
      ]);

      // The same start again: 409 and nothing written.
      const before = await snapshot(ctx.db);
      await expectProblem(
        await create({ serviceId: service.id, date: "2030-01-09", time: "14:30", capacity: 2, reason: "again" }),
        409,
        "conflict",
      );
      await expectProblem(
        await create({ serviceId: crypto.randomUUID(), date: "2030-01-09", time: "14:30", reason: "x" }),
        404,
        "not_found",
      );
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it.each([
      ["no reason", { reason: undefined }, "body.reason"],
      ["a blank reason", { reason: "   " }, "body.reason"],
      ["a reason over 500 characters", { reason: "x".repeat(501) }, "body.reason"],
      ["an impossible date", { date: "2030-02-30" }, "body.date"],
      ["a time that is not HH:MM", { time: "9:00" }, "body.time"],
      ["a capacity of 0", { capacity: 0 }, "body.capacity"],
      ["an unknown field", { startsAt: "2030-01-09T00:00:00Z" }, "body"],
    ])("rejects %s with 422 and changes nothing", async (_case, overrides, path) => {
      const service = await newService(ctx.db);
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(
        await create({ serviceId: service.id, date: "2030-01-10", time: "10:00", reason: "ok", ...overrides }),
        422,
        "validation_failed",
      );
      expect(problem.errors?.map((e) => e.path)).toContain(path);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("answers 400 for a body that is not JSON, 422 for a start in the past, and changes nothing", async () => {
      const service = await newService(ctx.db);
      const before = await snapshot(ctx.db);
      const raw = await callRoute(createRoute, "/api/admin/slots", {
        method: "POST",
        body: "{not json",
        headers: { ...bearer(who.staff), "content-type": "application/json" },
      });
      await expectProblem(raw, 400, "malformed_json");
      await expectProblem(
        await create({ serviceId: service.id, date: "2030-01-07", time: "08:00", reason: "late" }),
        422,
        "validation_failed",
      );
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("PATCH /api/admin/slots/[id]", () => {
    it("refuses capacity below the seats reserved with 409 and no change; raising it is audited with the reason", async () => {
      const service = await newService(ctx.db);
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(30 * HOUR), capacity: 4 });
      await holdOk(slot.id, { quantity: 3 });
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(
        await patch(slot.id, { capacity: 2, reason: "smaller room" }),
        409,
        "capacity_below_reserved",
      );
      expect(problem.detail).toMatch(/3 seats/);
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await auditOf(slot.id)).toEqual([]);

      const { requestId, headers } = traced(who.admin);
      const { slot: after } = await expectJson<SlotBody>(
        await patch(slot.id, { capacity: 8, reason: "bigger room" }, headers),
      );
      expect(after).toMatchObject({ capacity: 8, reserved: 3, status: "open" });
      expect(await auditOf(slot.id)).toEqual([
        {
          action: "slot.updated",
          actor_id: who.admin.userId,
          actor_role: "admin",
          reason: "bigger room",
          request_id: requestId,
          ip: "203.0.113.7",
          before: { capacity: 4, status: "open" },
          after: { capacity: 8, status: "open" },
        },
      ]);
    });

    it("closes and reopens a slot; cancels only a slot without reservations (409 otherwise, nothing changed)", async () => {
      const service = await newService(ctx.db);
      const booked = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(40 * HOUR) });
      const empty = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(41 * HOUR) });
      await holdOk(booked.id);

      expect(
        (await expectJson<SlotBody>(await patch(booked.id, { status: "closed", reason: "teacher ill" }))).slot,
      ).toMatchObject({ status: "closed", reserved: 1 });
      expect(
        (await expectJson<SlotBody>(await patch(booked.id, { status: "open", reason: "teacher back" }))).slot.status,
      ).toBe("open");
      const before = await snapshot(ctx.db);
      await expectProblem(await patch(booked.id, { status: "cancelled", reason: "no" }), 409, "invalid_state");
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(
        (await expectJson<SlotBody>(await patch(empty.id, { status: "cancelled", reason: "no demand" }))).slot.status,
      ).toBe("cancelled");
      expect((await auditOf(booked.id)).map((a) => [a.action, a.reason, a.after])).toEqual([
        ["slot.updated", "teacher ill", { capacity: 4, status: "closed" }],
        ["slot.updated", "teacher back", { capacity: 4, status: "open" }],
      ]);
    });

    it("answers 404 for an unknown slot and 422 for a bad id or body, changing nothing", async () => {
      const service = await newService(ctx.db);
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(50 * HOUR) });
      const before = await snapshot(ctx.db);
      await expectProblem(await patch(crypto.randomUUID(), { capacity: 3, reason: "x" }), 404, "slot_not_found");
      await expectProblem(await patch("not-a-uuid", { capacity: 3, reason: "x" }), 422, "validation_failed");
      for (const body of [
        { reason: "nothing to change" },
        { capacity: 3 },
        { capacity: 2.5, reason: "x" },
        { status: "deleted", reason: "x" },
        { capacity: 10_001, reason: "x" },
      ]) {
        await expectProblem(await patch(slot.id, body), 422, "validation_failed");
      }
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });
});
