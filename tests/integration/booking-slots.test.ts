import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { closeSlot, createSlot, updateSlot } from "@/server/booking/slot-admin";
import { importSlotsCsv } from "@/server/booking/slot-import";
import { createSlotRule, generateSlotsFromRules } from "@/server/booking/slot-rules";
import { slotRules, slots } from "@/server/db/schema";
import {
  HOUR,
  T0,
  at,
  auditRows,
  holdOk,
  holdPayload,
  newService,
  postHold,
  slotReserved,
  snapshot,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { expectProblem } from "../helpers/http";

const staff = { kind: "system", name: "slot-test" } as const;

/** Wall-clock weekday and time of an instant in a zone, e.g. "Tue 11:00". */
function wallClock(instant: Date, timeZone = "Asia/Tokyo"): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}

/** Slot pipeline: manual verbs, weekly rules and the CSV import. T0 is Monday 2030-01-07 09:00 in Tokyo. */
describeEachDatabase("booking: slot pipeline", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const slotsOf = (serviceId: string) =>
    ctx.db.select().from(slots).where(eq(slots.serviceId, serviceId)).orderBy(asc(slots.startsAt));

  describe("createSlot / updateSlot / closeSlot", () => {
    it("refuses to drop capacity below the seats reserved (409) and changes nothing; raising it works", async () => {
      const service = await newService(ctx.db);
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 4 });
      await holdOk(slot.id, { quantity: 3 });
      const before = await snapshot(ctx.db);

      await expect(updateSlot({ slotId: slot.id, capacity: 2, actor: staff })).rejects.toMatchObject({
        code: "capacity_below_reserved",
        status: 409,
      });
      expect(await snapshot(ctx.db)).toEqual(before);
      expect((await auditRows(ctx.db, slot.id)).map((a) => a.action)).toEqual([]);

      expect(await updateSlot({ slotId: slot.id, capacity: 3, actor: staff })).toMatchObject({
        capacity: 3,
        reserved: 3,
      });
      expect(await updateSlot({ slotId: slot.id, capacity: 8, actor: staff, reason: "bigger room" })).toMatchObject({
        capacity: 8,
      });
      const audit = await auditRows(ctx.db, slot.id);
      expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
        ["slot.updated", { capacity: 4, status: "open" }, { capacity: 3, status: "open" }],
        ["slot.updated", { capacity: 3, status: "open" }, { capacity: 8, status: "open" }],
      ]);
      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
    });

    it("closes a slot so holds answer slot_closed, and will not cancel a slot that has reservations", async () => {
      const service = await newService(ctx.db);
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) });
      await holdOk(slot.id);

      await expect(updateSlot({ slotId: slot.id, status: "cancelled", actor: staff })).rejects.toMatchObject({
        code: "invalid_state",
      });
      expect(await closeSlot({ slotId: slot.id, actor: staff })).toMatchObject({ status: "closed", reserved: 1 });
      const before = await snapshot(ctx.db);
      await expectProblem(await postHold(holdPayload(slot.id)), 409, "slot_closed");
      expect(await snapshot(ctx.db)).toEqual(before);
      await expect(updateSlot({ slotId: crypto.randomUUID(), capacity: 1, actor: staff })).rejects.toMatchObject({
        code: "slot_not_found",
      });
    });

    it.each([2.5, -1])(
      "rejects capacity %d as validation_failed, not as a database error, and changes nothing",
      async (capacity) => {
        const service = await newService(ctx.db);
        const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 4 });
        const before = await snapshot(ctx.db);
        await expect(updateSlot({ slotId: slot.id, capacity, actor: staff })).rejects.toMatchObject({
          name: "AppError",
          code: "validation_failed",
          message: expect.stringMatching(/^capacity:/),
        });
        expect(await snapshot(ctx.db)).toEqual(before);
      },
    );

    it("creates a slot with the service's defaults and answers 409 conflict for the same start", async () => {
      const service = await newService(ctx.db, { durationMinutes: 90, defaultCapacity: 6 });
      const slot = await createSlot({ serviceId: service.id, startsAt: at(50 * HOUR), actor: staff });
      expect(slot).toMatchObject({
        serviceId: service.id,
        capacity: 6,
        reserved: 0,
        status: "open",
        startsAt: at(50 * HOUR),
        endsAt: at(51.5 * HOUR),
      });
      expect((await auditRows(ctx.db, slot.id)).map((a) => a.action)).toEqual(["slot.created"]);

      const before = await snapshot(ctx.db);
      await expect(
        createSlot({ serviceId: service.id, startsAt: at(50 * HOUR), capacity: 2, actor: staff }),
      ).rejects.toMatchObject({
        code: "conflict",
        status: 409,
      });
      await expect(
        createSlot({ serviceId: crypto.randomUUID(), startsAt: at(50 * HOUR), actor: staff }),
      ).rejects.toMatchObject({
        code: "not_found",
      });
      await expect(
        createSlot({ serviceId: service.id, startsAt: at(51 * HOUR), capacity: 0, actor: staff }),
      ).rejects.toMatchObject({
        code: "validation_failed",
      });
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("weekly rules", () => {
    it("generates the next 14 days of slots at the rule's wall-clock time in Asia/Tokyo, once", async () => {
      const service = await newService(ctx.db, { defaultCapacity: 5, durationMinutes: 60 });
      await createSlotRule({ serviceId: service.id, weekday: 2, startTime: "11:00", capacity: 8, actor: staff }); // Tuesdays
      await createSlotRule({ serviceId: service.id, weekday: 1, startTime: "08:00", actor: staff }); // today's has passed
      await createSlotRule({ serviceId: service.id, weekday: 1, startTime: "10:00", actor: staff }); // today's is ahead

      expect(await generateSlotsFromRules({ days: 14, serviceId: service.id })).toEqual({ created: 5, considered: 5 });
      const made = await slotsOf(service.id);
      expect(made.map((s) => [s.startsAt.toISOString(), wallClock(s.startsAt), s.capacity])).toEqual([
        ["2030-01-07T01:00:00.000Z", "Mon 10:00", 5],
        ["2030-01-08T02:00:00.000Z", "Tue 11:00", 8],
        ["2030-01-13T23:00:00.000Z", "Mon 08:00", 5],
        ["2030-01-14T01:00:00.000Z", "Mon 10:00", 5],
        ["2030-01-15T02:00:00.000Z", "Tue 11:00", 8],
      ]);
      expect(made.every((s) => s.endsAt.getTime() - s.startsAt.getTime() === HOUR && s.ruleId !== null)).toBe(true);

      // Running again adds nothing and leaves existing slots (and their reservations) as they are.
      const first = made[1]!;
      await holdOk(first.id, { quantity: 2 });
      await updateSlot({ slotId: first.id, capacity: 3, actor: staff });
      const before = await snapshot(ctx.db);
      expect(await generateSlotsFromRules({ days: 14, serviceId: service.id })).toEqual({ created: 0, considered: 5 });
      expect(await snapshot(ctx.db)).toEqual(before);

      // A longer horizon adds only the new day (Monday the 21st: 08:00 and 10:00).
      expect(await generateSlotsFromRules({ days: 15, serviceId: service.id })).toEqual({ created: 2, considered: 7 });
    });

    it("honours a rule's validFrom and validUntil dates", async () => {
      const service = await newService(ctx.db);
      await createSlotRule({
        serviceId: service.id,
        weekday: 2,
        startTime: "11:00",
        validFrom: "2030-01-09",
        validUntil: "2030-01-22",
        actor: staff,
      });
      expect(await generateSlotsFromRules({ days: 28, serviceId: service.id })).toEqual({ created: 2, considered: 2 });
      expect((await slotsOf(service.id)).map((s) => s.startsAt.toISOString())).toEqual([
        "2030-01-15T02:00:00.000Z",
        "2030-01-22T02:00:00.000Z",
      ]);
    });

    it("keeps the wall-clock time across a DST change in the rule's own zone", async () => {
      clock.set(new Date("2030-03-24T12:00:00Z"), { freeze: true }); // Sunday; Berlin moves to CEST on 31 March
      const service = await newService(ctx.db);
      await createSlotRule({
        serviceId: service.id,
        weekday: 1,
        startTime: "10:00",
        timezone: "Europe/Berlin",
        actor: staff,
      });
      expect(await generateSlotsFromRules({ days: 14, serviceId: service.id })).toEqual({ created: 2, considered: 2 });
      const made = await slotsOf(service.id);
      expect(made.map((s) => [s.startsAt.toISOString(), wallClock(s.startsAt, "Europe/Berlin")])).toEqual([
        ["2030-03-25T09:00:00.000Z", "Mon 10:00"],
        ["2030-04-01T08:00:00.000Z", "Mon 10:00"],
      ]);
    });

    it.each([
      ["a weekday outside 1–7", { weekday: 8 }, "validation_failed", /^weekday:/],
      ["a time that is not HH:MM", { startTime: "24:00" }, "validation_failed", /^startTime:/],
      ["a capacity of 0", { capacity: 0 }, "validation_failed", /^capacity:/],
      ["a fractional capacity", { capacity: 2.5 }, "validation_failed", /^capacity:/],
      ["an unknown time zone", { timezone: "Mars/Olympus_Mons" }, "validation_failed", /^timezone:/],
      ["an impossible validFrom", { validFrom: "2030-02-30" }, "validation_failed", /^validFrom:/],
      [
        "a validUntil before validFrom",
        { validFrom: "2030-02-01", validUntil: "2030-01-31" },
        "validation_failed",
        /^validUntil:/,
      ],
      ["an unknown service", { serviceId: "00000000-0000-4000-8000-000000000000" }, "not_found", /service/],
    ])("rejects %s and writes nothing", async (_case, overrides, code, message) => {
      const service = await newService(ctx.db);
      const before = await snapshot(ctx.db);
      const rulesBefore = (await ctx.db.select().from(slotRules)).length;
      await expect(
        createSlotRule({ serviceId: service.id, weekday: 1, startTime: "10:00", actor: staff, ...overrides }),
      ).rejects.toMatchObject({ name: "AppError", code, message: expect.stringMatching(message) });
      expect((await ctx.db.select().from(slotRules)).length).toBe(rulesBefore);
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("CSV import", () => {
    const csvFor = (...rows: string[]) => ["service,date,time,capacity", ...rows].join("\n");

    it("imports every row of a valid file, in the business time zone, with the service default capacity when blank", async () => {
      const service = await newService(ctx.db, { defaultCapacity: 7, durationMinutes: 30 });
      const s = service.slug;
      const csv = `\uFEFF${csvFor(`${s},2030-01-08,10:00,5`, `"${s}",2030-01-08,14:30,`, "", `${s},2030-01-09,09:00,2`)}\r\n`;

      const report = await importSlotsCsv(csv, { dryRun: false, actor: staff });
      expect(report).toEqual({
        ok: true,
        dryRun: false,
        created: 3,
        errors: [],
        rows: [
          {
            line: 2,
            service: s,
            startsAt: "2030-01-08T01:00:00.000Z",
            endsAt: "2030-01-08T01:30:00.000Z",
            capacity: 5,
          },
          {
            line: 3,
            service: s,
            startsAt: "2030-01-08T05:30:00.000Z",
            endsAt: "2030-01-08T06:00:00.000Z",
            capacity: 7,
          },
          {
            line: 5,
            service: s,
            startsAt: "2030-01-09T00:00:00.000Z",
            endsAt: "2030-01-09T00:30:00.000Z",
            capacity: 2,
          },
        ],
      });
      const made = await slotsOf(service.id);
      expect(made.map((x) => [x.startsAt.toISOString(), x.capacity, x.status, wallClock(x.startsAt)])).toEqual([
        ["2030-01-08T01:00:00.000Z", 5, "open", "Tue 10:00"],
        ["2030-01-08T05:30:00.000Z", 7, "open", "Tue 14:30"],
        ["2030-01-09T00:00:00.000Z", 2, "open", "Wed 09:00"],
      ]);
    });

    it("imports nothing when one row is bad, and reports its line and field", async () => {
      const service = await newService(ctx.db);
      const s = service.slug;
      const before = await snapshot(ctx.db);
      const report = await importSlotsCsv(
        csvFor(`${s},2030-01-08,10:00,5`, `${s},2030-02-30,10:00,5`, `${s},2030-01-09,10:00,5`),
        {
          dryRun: false,
          actor: staff,
        },
      );
      expect(report).toMatchObject({
        ok: false,
        created: 0,
        errors: [{ line: 3, field: "date", message: "must be a date YYYY-MM-DD" }],
      });
      expect(await slotsOf(service.id)).toEqual([]);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("lists every error by line: unknown service, bad time, bad capacity, past date", async () => {
      const service = await newService(ctx.db);
      const s = service.slug;
      const report = await importSlotsCsv(
        csvFor(
          "no-such-service,2030-01-08,10:00,5",
          `${s},2030-01-08,25:00,5`,
          `${s},2030-01-08,11:00,0`,
          `${s},2030-01-06,10:00,`,
        ),
        { dryRun: false, actor: staff },
      );
      expect(report.ok).toBe(false);
      expect(report.errors.map((e) => [e.line, e.field])).toEqual([
        [2, "service"],
        [3, "time"],
        [4, "capacity"],
        [5, "date"],
      ]);
      expect(report.errors[3]?.message).toBe("is in the past");
      expect(await slotsOf(service.id)).toEqual([]);
    });

    it("dry run returns the preview and writes nothing", async () => {
      const service = await newService(ctx.db);
      const s = service.slug;
      const before = await snapshot(ctx.db);
      const report = await importSlotsCsv(csvFor(`${s},2030-01-10,10:00,3`, `${s},2030-01-10,11:00,3`), {
        dryRun: true,
        actor: staff,
      });
      expect(report).toEqual({
        ok: true,
        dryRun: true,
        created: 0,
        errors: [],
        rows: [
          expect.objectContaining({ line: 2, startsAt: "2030-01-10T01:00:00.000Z", capacity: 3 }),
          expect.objectContaining({ line: 3, startsAt: "2030-01-10T02:00:00.000Z", capacity: 3 }),
        ],
      });
      expect(await snapshot(ctx.db)).toEqual(before);
      // The same file for real creates what the preview showed.
      expect(
        (
          await importSlotsCsv(csvFor(`${s},2030-01-10,10:00,3`, `${s},2030-01-10,11:00,3`), {
            dryRun: false,
            actor: staff,
          })
        ).created,
      ).toBe(2);
    });

    it("reports a duplicate line in the file and a slot that already exists", async () => {
      const service = await newService(ctx.db);
      const s = service.slug;
      await insertSlot(ctx.db, { serviceId: service.id, startsAt: new Date("2030-01-08T01:00:00Z") });
      const before = await snapshot(ctx.db);
      const report = await importSlotsCsv(
        csvFor(`${s},2030-01-08,10:00,5`, `${s},2030-01-09,10:00,5`, `${s},2030-01-09,10:00,4`),
        { dryRun: false, actor: staff },
      );
      expect(report).toMatchObject({
        ok: false,
        created: 0,
        errors: [
          { line: 2, field: "time", message: "a slot already exists at this time" },
          { line: 4, field: "time", message: "duplicates line 3" },
        ],
      });
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("rejects a file without the header and reports a file without rows", async () => {
      await expect(
        importSlotsCsv("slug,day,hour\nx,2030-01-08,10:00", { dryRun: true, actor: staff }),
      ).rejects.toMatchObject({
        code: "validation_failed",
      });
      expect(await importSlotsCsv("service,date,time,capacity\n\n", { dryRun: false, actor: staff })).toMatchObject({
        ok: false,
        errors: [{ line: 1, field: "file", message: "no rows to import" }],
      });
    });
  });
});
