import { asc, eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { POST as importRoute } from "@/app/api/admin/slots/import/route";
import { clock } from "@/lib/clock";
import type { SlotImportReport } from "@/server/booking/slot-import";
import { queryRows } from "@/server/db/client";
import { slots } from "@/server/db/schema";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { T0, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

type AuditRow = {
  action: string;
  entity_type: string;
  entity_id: string;
  actor_id: string | null;
  actor_role: string;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  after: unknown;
};

/**
 * POST /api/admin/slots/import: the preview (dryRun) writes nothing and shows rows to create, rows skipped because
 * the slot exists and errors by line; the commit creates exactly the previewed rows in one transaction, audited.
 * T0 is Monday 2030-01-07 09:00 in Tokyo, frozen.
 */
describeEachDatabase("admin API: slot CSV import", (ctx) => {
  const who = {} as Record<"staff" | "user", SignedIn>;
  let seq = 0;

  beforeAll(async () => {
    clock.set(T0, { freeze: true });
    who.staff = await signedInAs(ctx.db, "staff");
    who.user = await signedInAs(ctx.db, "user");
  });
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });

  const traced = () => {
    const requestId = `req-import-${++seq}-${crypto.randomUUID().slice(0, 8)}`;
    return { requestId, headers: { ...bearer(who.staff), "x-request-id": requestId, "x-forwarded-for": "192.0.2.44" } };
  };
  const post = (json: unknown, headers: Record<string, string> = traced().headers) =>
    callRoute(importRoute, "/api/admin/slots/import", { method: "POST", json, headers });
  const csvFor = (...rows: string[]) => ["service,date,time,capacity", ...rows].join("\n");
  const slotsOf = (serviceId: string) =>
    ctx.db.select().from(slots).where(eq(slots.serviceId, serviceId)).orderBy(asc(slots.startsAt));
  const auditOf = (requestId: string) =>
    queryRows<AuditRow>(
      ctx.db,
      sql`select action, entity_type, entity_id, actor_id::text as actor_id, actor_role, reason, request_id, ip, after
            from audit_log where request_id = ${requestId} order by id`,
    );

  it("answers 401 without a session and 403 to a customer before reading the body", async () => {
    await expectProblem(await post({ csv: 5 }, {}), 401, "unauthorized");
    await expectProblem(await post({ csv: 5 }, bearer(who.user)), 403, "forbidden");
  });

  it("previews without writing, then commits exactly the previewed rows in one transaction with audit rows", async () => {
    const service = await newService(ctx.db, { defaultCapacity: 7, durationMinutes: 30 });
    const s = service.slug;
    const existing = await insertSlot(ctx.db, { serviceId: service.id, startsAt: new Date("2030-01-08T01:00:00Z") }); // Tue 10:00
    const csv = csvFor(`${s},2030-01-08,10:00,5`, `${s},2030-01-08,14:30,`, `${s},2030-01-09,09:00,2`);

    const before = await snapshot(ctx.db);
    const preview = await expectJson<SlotImportReport>(await post({ csv, dryRun: true }));
    expect(preview).toEqual({
      ok: true,
      dryRun: true,
      created: 0,
      errors: [],
      rows: [
        { line: 3, service: s, startsAt: "2030-01-08T05:30:00.000Z", endsAt: "2030-01-08T06:00:00.000Z", capacity: 7 },
        { line: 4, service: s, startsAt: "2030-01-09T00:00:00.000Z", endsAt: "2030-01-09T00:30:00.000Z", capacity: 2 },
      ],
      skipped: [
        { line: 2, service: s, startsAt: "2030-01-08T01:00:00.000Z", endsAt: "2030-01-08T01:30:00.000Z", capacity: 5 },
      ],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await snapshot(ctx.db)).toEqual(before);

    const { requestId, headers } = traced();
    const done = await expectJson<SlotImportReport>(
      await post({ csv, dryRun: false, digest: preview.digest, reason: "January timetable" }, headers),
      201,
    );
    expect(done).toEqual({ ...preview, dryRun: false, created: 2 });
    const made = await slotsOf(service.id);
    expect(made.map((x) => [x.startsAt.toISOString(), x.capacity])).toEqual([
      [existing.startsAt.toISOString(), 4],
      ["2030-01-08T05:30:00.000Z", 7],
      ["2030-01-09T00:00:00.000Z", 2],
    ]);
    const audit = await auditOf(requestId);
    expect(audit.map((a) => [a.action, a.entity_type])).toEqual([
      ["slot.imported", "slot_import"],
      ["slot.created", "slot"],
      ["slot.created", "slot"],
    ]);
    expect(
      audit
        .slice(1)
        .map((a) => a.entity_id)
        .sort(),
    ).toEqual([made[1]!.id, made[2]!.id].sort());
    for (const row of audit) {
      expect(row).toMatchObject({
        actor_id: who.staff.userId,
        actor_role: "staff",
        reason: "January timetable",
        request_id: requestId,
        ip: "192.0.2.44",
      });
    }
    expect(audit[0]?.after).toEqual({ created: 2, skipped: 1, digest: preview.digest });
  });

  it("shows errors by line in the preview; a commit with errors answers 422 with them and writes nothing", async () => {
    const service = await newService(ctx.db);
    const s = service.slug;
    const csv = csvFor(
      `${s},2030-01-08,10:00,5`,
      "nope,2030-01-08,10:00,5",
      `${s},2030-01-08,25:00,`,
      `${s},2030-01-08,10:00,3`,
      `${s},2030-01-06,10:00,`,
    );
    const before = await snapshot(ctx.db);
    const preview = await expectJson<SlotImportReport>(await post({ csv, dryRun: true }));
    expect(preview.ok).toBe(false);
    expect(preview.rows.map((r) => r.line)).toEqual([2]);
    expect(preview.errors).toEqual([
      { line: 3, field: "service", code: "unknown_service", message: 'unknown service "nope"', value: "nope" },
      { line: 4, field: "time", code: "bad_time", message: "must be a time HH:MM (24 h)" },
      { line: 5, field: "time", code: "duplicate_line", message: "duplicates line 2", duplicateOf: 2 },
      { line: 6, field: "date", code: "in_past", message: "is in the past" },
    ]);
    const problem = await expectProblem(
      await post({ csv, dryRun: false, reason: "try anyway" }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual([
      "csv.line3.service",
      "csv.line4.time",
      "csv.line5.time",
      "csv.line6.date",
    ]);
    expect(await snapshot(ctx.db)).toEqual(before);
    expect(await slotsOf(service.id)).toEqual([]);
  });

  it("aborts the commit with 409 when the slots changed since the preview, creating nothing", async () => {
    const service = await newService(ctx.db);
    const s = service.slug;
    const csv = csvFor(`${s},2030-01-10,10:00,3`, `${s},2030-01-10,11:00,3`);
    const preview = await expectJson<SlotImportReport>(await post({ csv, dryRun: true }));
    expect(preview.rows).toHaveLength(2);
    await insertSlot(ctx.db, { serviceId: service.id, startsAt: new Date("2030-01-10T02:00:00Z") }); // someone adds 11:00
    const before = await snapshot(ctx.db);
    await expectProblem(await post({ csv, dryRun: false, digest: preview.digest, reason: "stale" }), 409, "conflict");
    expect(await snapshot(ctx.db)).toEqual(before);
    expect(await slotsOf(service.id)).toHaveLength(1);
  });

  it("imports the full 5,000 rows in one commit, with one audit row per slot plus the summary", async () => {
    const service = await newService(ctx.db);
    const rows = Array.from({ length: 5000 }, (_, i) => {
      const day = new Date(Date.UTC(2030, 1, 1 + Math.floor(i / 24))).toISOString().slice(0, 10);
      return `${service.slug},${day},${String(i % 24).padStart(2, "0")}:00,2`;
    });
    const csv = csvFor(...rows);
    const preview = await expectJson<SlotImportReport>(await post({ csv, dryRun: true }));
    expect(preview).toMatchObject({ ok: true, errors: [], skipped: [] });
    expect(preview.rows).toHaveLength(5000);
    const { requestId, headers } = traced();
    expect(
      (
        await expectJson<SlotImportReport>(
          await post({ csv, dryRun: false, digest: preview.digest, reason: "bulk" }, headers),
          201,
        )
      ).created,
    ).toBe(5000);
    expect(await slotsOf(service.id)).toHaveLength(5000);
    const [count] = await queryRows<{ n: number }>(
      ctx.db,
      sql`select count(*)::int as n from audit_log where request_id = ${requestId}`,
    );
    expect(Number(count?.n)).toBe(5001);
  });

  it("rejects bad bodies (400, 413, 422) and a file without the header, writing nothing", async () => {
    const service = await newService(ctx.db);
    const before = await snapshot(ctx.db);
    const good = csvFor(`${service.slug},2030-01-10,10:00,3`);
    await expectProblem(await post({ csv: good, dryRun: false }), 422, "validation_failed"); // no reason
    await expectProblem(await post({ csv: good, dryRun: true, digest: "abc" }), 422, "validation_failed");
    await expectProblem(await post({ csv: "", dryRun: true }), 422, "validation_failed");
    await expectProblem(await post({ csv: "slug,day\nx,y", dryRun: true }), 422, "validation_failed");
    const raw = await callRoute(importRoute, "/api/admin/slots/import", {
      method: "POST",
      body: "csv=1",
      headers: { ...bearer(who.staff), "content-type": "application/json" },
    });
    await expectProblem(raw, 400, "malformed_json");
    await expectProblem(await post({ csv: "x".repeat(1_200_000), dryRun: true }), 413, "payload_too_large");
    const tooMany = csvFor(
      ...Array.from({ length: 5001 }, (_, i) => `${service.slug},2030-02-01,${String(i % 24).padStart(2, "0")}:00,1`),
    );
    await expectProblem(await post({ csv: tooMany, dryRun: true }), 413, "payload_too_large");
    expect(await snapshot(ctx.db)).toEqual(before);
  });
});
