import { asc, eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { PATCH as patchRuleRoute, DELETE as deleteRuleRoute } from "@/app/api/admin/slot-rules/[id]/route";
import { POST as generateRoute } from "@/app/api/admin/slot-rules/generate/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/admin/slot-rules/route";
import { clock } from "@/lib/clock";
import type { AdminSlotRule } from "@/server/admin/slots";
import { queryRows } from "@/server/db/client";
import { slotRules, slots } from "@/server/db/schema";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { T0, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

type RuleJson = {
  id: string;
  serviceId: string;
  weekday: number;
  startTime: string;
  capacity: number | null;
  validFrom: string | null;
  validUntil: string | null;
  active: boolean;
};
type AuditRow = {
  action: string;
  entity_id: string;
  actor_id: string | null;
  actor_role: string;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
};

/**
 * Weekly rules through the admin API: list, create (weekdays × times), pause/resume, delete and "generate now", each
 * change audited with the operator, reason, request id and IP. T0 is Monday 2030-01-07 09:00 in Tokyo, frozen.
 */
describeEachDatabase("admin API: slot rules", (ctx) => {
  const who = {} as Record<"staff" | "admin" | "user", SignedIn>;
  let seq = 0;

  beforeAll(async () => {
    clock.set(T0, { freeze: true });
    who.staff = await signedInAs(ctx.db, "staff");
    who.admin = await signedInAs(ctx.db, "admin");
    who.user = await signedInAs(ctx.db, "user");
  });
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });

  const traced = (as: SignedIn | null = who.staff) => {
    const requestId = `req-rules-${++seq}-${crypto.randomUUID().slice(0, 8)}`;
    return { requestId, headers: { ...bearer(as), "x-request-id": requestId, "x-forwarded-for": "198.51.100.23" } };
  };
  const list = (query = "", as: SignedIn | null = who.staff) =>
    callRoute(listRoute, `/api/admin/slot-rules${query}`, { headers: bearer(as) });
  const create = (json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(createRoute, "/api/admin/slot-rules", { method: "POST", json, headers });
  const patch = (id: string, json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(patchRuleRoute, `/api/admin/slot-rules/${id}`, { method: "PATCH", json, headers, params: { id } });
  const remove = (id: string, json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(deleteRuleRoute, `/api/admin/slot-rules/${id}`, { method: "DELETE", json, headers, params: { id } });
  const generate = (json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(generateRoute, "/api/admin/slot-rules/generate", { method: "POST", json, headers });
  const auditWhere = (action: string, requestId: string) =>
    queryRows<AuditRow>(
      ctx.db,
      sql`select action, entity_id, actor_id::text as actor_id, actor_role, reason, request_id, ip, before, after
            from audit_log where action = ${action} and request_id = ${requestId} order by id`,
    );
  const slotsOf = (serviceId: string) =>
    ctx.db.select().from(slots).where(eq(slots.serviceId, serviceId)).orderBy(asc(slots.startsAt));

  it("answers 401 without a session and 403 to a customer on every route, before reading the input", async () => {
    const id = crypto.randomUUID();
    for (const as of [null, who.user] as const) {
      const [status, code] = as ? [403, "forbidden"] : [401, "unauthorized"];
      await expectProblem(await list("?serviceId=bad", as), status, code);
      await expectProblem(await create({}, bearer(as)), status, code);
      await expectProblem(await patch(id, {}, bearer(as)), status, code);
      await expectProblem(await remove(id, {}, bearer(as)), status, code);
      await expectProblem(await generate({}, bearer(as)), status, code);
    }
  });

  it("creates one rule per weekday × time, audited, lists them, and generates slots with the count created", async () => {
    const service = await newService(ctx.db, { defaultCapacity: 5, durationMinutes: 60 });
    const { requestId, headers } = traced();
    const created = await expectJson<{ rules: RuleJson[] }>(
      await create(
        {
          serviceId: service.id,
          weekdays: [2, 4],
          startTimes: ["10:00", "14:30"],
          capacity: 8,
          validFrom: "2030-01-08",
          validUntil: "2030-01-31",
          reason: "spring timetable",
        },
        headers,
      ),
      201,
    );
    expect(created.rules.map((r) => [r.weekday, r.startTime, r.capacity, r.validFrom, r.validUntil, r.active])).toEqual(
      [
        [2, "10:00", 8, "2030-01-08", "2030-01-31", true],
        [2, "14:30", 8, "2030-01-08", "2030-01-31", true],
        [4, "10:00", 8, "2030-01-08", "2030-01-31", true],
        [4, "14:30", 8, "2030-01-08", "2030-01-31", true],
      ],
    );
    const audit = await auditWhere("slot_rule.created", requestId);
    expect(audit.map((a) => a.entity_id).sort()).toEqual(created.rules.map((r) => r.id).sort());
    expect(audit[0]).toMatchObject({
      actor_id: who.staff.userId,
      actor_role: "staff",
      reason: "spring timetable",
      ip: "198.51.100.23",
    });

    const listed = await expectJson<{ rules: AdminSlotRule[] }>(await list(`?serviceId=${service.id}`, who.admin));
    expect(listed.rules.map((r) => `${r.weekday} ${r.startTime}`)).toEqual([
      "2 10:00",
      "2 14:30",
      "4 10:00",
      "4 14:30",
    ]);
    expect(listed.rules[0]).toMatchObject({ service: { id: service.id }, timezone: "Asia/Tokyo", active: true });

    // Tue 8th, Thu 10th, Tue 15th, Thu 17th within 14 days (from Monday the 7th): 4 days × 2 times.
    const gen = traced();
    expect(
      await expectJson(await generate({ days: 14, serviceId: service.id, reason: "fill two weeks" }, gen.headers)),
    ).toEqual({ created: 8, considered: 8 });
    expect((await slotsOf(service.id)).map((s) => s.capacity)).toEqual(Array(8).fill(8));
    expect(await auditWhere("slot_rule.generated", gen.requestId)).toEqual([
      expect.objectContaining({
        entity_id: service.id,
        actor_role: "staff",
        reason: "fill two weeks",
        ip: "198.51.100.23",
        after: { days: 14, created: 8, considered: 8 },
      }),
    ]);
    // Again: nothing new, still audited as a run.
    const again = traced();
    expect(
      await expectJson(await generate({ days: 14, serviceId: service.id, reason: "again" }, again.headers)),
    ).toEqual({ created: 0, considered: 8 });
    expect(await auditWhere("slot_rule.generated", again.requestId)).toHaveLength(1);
  });

  it("refuses a rule an active rule already covers (409), and bad bodies (400/422), writing nothing", async () => {
    const service = await newService(ctx.db);
    await expectJson(
      await create({ serviceId: service.id, weekdays: [1], startTimes: ["09:00"], reason: "first" }),
      201,
    );
    const before = await snapshot(ctx.db);
    const rulesBefore = (await ctx.db.select().from(slotRules)).length;
    await expectProblem(
      await create({ serviceId: service.id, weekdays: [1, 3], startTimes: ["09:00"], reason: "dup" }),
      409,
      "conflict",
    );
    await expectProblem(
      await create({ serviceId: crypto.randomUUID(), weekdays: [1], startTimes: ["09:00"], reason: "x" }),
      404,
      "not_found",
    );
    for (const [body, path] of [
      [{ weekdays: [0], startTimes: ["09:00"] }, "body.weekdays.0"],
      [{ weekdays: [], startTimes: ["09:00"] }, "body.weekdays"],
      [{ weekdays: [1], startTimes: ["25:00"] }, "body.startTimes.0"],
      [{ weekdays: [1], startTimes: ["09:00"], validFrom: "2030-02-01", validUntil: "2030-01-01" }, "body.validUntil"],
      [{ weekdays: [1], startTimes: ["09:00"], reason: "" }, "body.reason"],
    ] as const) {
      const problem = await expectProblem(
        await create({ serviceId: service.id, reason: "ok", ...body }),
        422,
        "validation_failed",
      );
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const raw = await callRoute(createRoute, "/api/admin/slot-rules", {
      method: "POST",
      body: "[",
      headers: { ...bearer(who.staff), "content-type": "application/json" },
    });
    await expectProblem(raw, 400, "malformed_json");
    await expectProblem(await generate({ days: 0, reason: "x" }), 422, "validation_failed");
    await expectProblem(await generate({ days: 400, reason: "x" }), 422, "validation_failed");
    await expectProblem(await generate({ days: 7 }), 422, "validation_failed");
    await expectProblem(await generate({ days: 7, serviceId: crypto.randomUUID(), reason: "x" }), 404, "not_found");
    expect(await snapshot(ctx.db)).toEqual(before);
    expect((await ctx.db.select().from(slotRules)).length).toBe(rulesBefore);
  });

  it("pauses a rule so generation skips it, resumes it, and deletes it, each audited; slots already made stay", async () => {
    const service = await newService(ctx.db);
    const [rule] = (
      await expectJson<{ rules: RuleJson[] }>(
        await create({ serviceId: service.id, weekdays: [3], startTimes: ["11:00"], reason: "wed" }),
        201,
      )
    ).rules;
    const id = rule!.id;

    const pause = traced(who.admin);
    expect(
      (await expectJson<{ rule: RuleJson }>(await patch(id, { active: false, reason: "summer break" }, pause.headers)))
        .rule.active,
    ).toBe(false);
    expect(await auditWhere("slot_rule.deactivated", pause.requestId)).toEqual([
      expect.objectContaining({
        entity_id: id,
        actor_id: who.admin.userId,
        actor_role: "admin",
        reason: "summer break",
        before: expect.objectContaining({ active: true }),
        after: expect.objectContaining({ active: false }),
      }),
    ]);
    expect(await expectJson(await generate({ days: 14, serviceId: service.id, reason: "try" }))).toEqual({
      created: 0,
      considered: 0,
    });

    await expectJson(await patch(id, { active: true, reason: "back" }));
    expect(await expectJson(await generate({ days: 14, serviceId: service.id, reason: "fill" }))).toEqual({
      created: 2,
      considered: 2,
    });

    const before = await snapshot(ctx.db);
    await expectProblem(await remove(id, {}), 422, "validation_failed");
    await expectProblem(await patch(id, { active: "no", reason: "x" }), 422, "validation_failed");
    await expectProblem(await patch(crypto.randomUUID(), { active: false, reason: "x" }), 404, "not_found");
    expect(await snapshot(ctx.db)).toEqual(before);

    const del = traced();
    expect(
      (await expectJson<{ deleted: RuleJson }>(await remove(id, { reason: "class discontinued" }, del.headers))).deleted
        .id,
    ).toBe(id);
    expect(await auditWhere("slot_rule.deleted", del.requestId)).toEqual([
      expect.objectContaining({
        entity_id: id,
        actor_role: "staff",
        reason: "class discontinued",
        ip: "198.51.100.23",
        after: null,
        before: expect.objectContaining({ weekday: 3 }),
      }),
    ]);
    expect(await ctx.db.select().from(slotRules).where(eq(slotRules.id, id))).toEqual([]);
    expect((await slotsOf(service.id)).map((s) => s.ruleId)).toEqual([id, id]);
    await expectProblem(await remove(id, { reason: "again" }), 404, "not_found");
  });
});
