import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as expireHoldsRoute from "@/app/api/cron/expire-holds/route";
import { clock } from "@/lib/clock";
import { confirmReservation } from "@/server/booking/confirm";
import { expireHolds } from "@/server/booking/expire";
import { reservations } from "@/server/db/schema";
import { runJob, type JobResult } from "@/server/jobs/registry";
import {
  HOUR,
  MINUTE,
  T0,
  at,
  auditRows,
  holdOk,
  newService,
  outboxRows,
  slotReserved,
  snapshot,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { TEST_CRON_SECRET, setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

/** Invariant 3: holds expire, exactly once; and a confirmation racing the expiry sees one consistent state. */
describeEachDatabase("booking: hold expiry and confirmation", (ctx) => {
  const staffActor = { kind: "system", name: "payments-test" } as const;

  beforeEach(async () => {
    // Release whatever earlier tests left held, so each test counts only its own holds.
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const paidSlot = async (capacity = 10) => {
    const service = await newService(ctx.db);
    return insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity });
  };
  const statusOf = async (id: string) => {
    const [row] = await ctx.db.select().from(reservations).where(eq(reservations.id, id));
    return row;
  };
  const expiredAudits = async (id: string) =>
    (await auditRows(ctx.db, id)).filter((a) => a.action === "reservation.expired");

  describe("expireHolds", () => {
    it("releases a hold past HOLD_MINUTES exactly once and leaves a hold not yet due alone", async () => {
      const slot = await paidSlot();
      const due = await holdOk(slot.id, { quantity: 2 });
      clock.advance(10 * MINUTE);
      const later = await holdOk(slot.id, { quantity: 3 }); // expires at T0 + 25 min
      expect(await slotReserved(ctx.db, slot.id)).toBe(5);

      clock.set(at(15 * MINUTE - 1), { freeze: true });
      expect(await expireHolds()).toBe(0);
      expect(await slotReserved(ctx.db, slot.id)).toBe(5);

      clock.set(at(15 * MINUTE), { freeze: true });
      expect(await expireHolds()).toBe(1);
      expect(await statusOf(due.reservation.id)).toMatchObject({ status: "expired", version: 2 });
      expect(await statusOf(later.reservation.id)).toMatchObject({ status: "held", version: 1 });
      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
      expect(await expiredAudits(due.reservation.id)).toEqual([
        expect.objectContaining({
          actor_role: "system:expire-holds",
          before: { status: "held" },
          after: { status: "expired", seatsReleased: 2 },
        }),
      ]);
      expect(await expiredAudits(later.reservation.id)).toEqual([]);

      // A second run releases nothing twice.
      const before = await snapshot(ctx.db);
      expect(await expireHolds()).toBe(0);
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await expiredAudits(due.reservation.id)).toHaveLength(1);
    });

    it("returns the seats of several holds on several slots in one run", async () => {
      const a = await paidSlot();
      const b = await paidSlot();
      const holds = [
        await holdOk(a.id, { quantity: 2 }),
        await holdOk(a.id, { quantity: 1 }),
        await holdOk(b.id, { quantity: 4 }),
      ];
      clock.advance(16 * MINUTE);
      expect(await expireHolds()).toBe(3);
      expect([await slotReserved(ctx.db, a.id), await slotReserved(ctx.db, b.id)]).toEqual([0, 0]);
      for (const h of holds) expect(await expiredAudits(h.reservation.id)).toHaveLength(1);
      // No customer notification is written for an expired hold.
      for (const h of holds) expect(await outboxRows(ctx.db, h.reservation.id)).toEqual([]);
    });

    it("runs as the expire-holds job, which reports what it released", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id, { quantity: 2 });
      clock.advance(15 * MINUTE + 1_000);

      expect(await runJob("expire-holds")).toMatchObject({ job: "expire-holds", status: "done", affected: 1 });
      expect(await statusOf(held.reservation.id)).toMatchObject({ status: "expired" });
      expect(await slotReserved(ctx.db, slot.id)).toBe(0);
      expect(await runJob("expire-holds")).toMatchObject({ status: "done", affected: 0 });
      expect(await expiredAudits(held.reservation.id)).toHaveLength(1);
    });

    it("never expires a free (confirmed) booking", async () => {
      const service = await newService(ctx.db, { priceAmount: 0 });
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) });
      const booked = await holdOk(slot.id);
      clock.advance(48 * HOUR);
      expect(await expireHolds()).toBe(0);
      expect(await statusOf(booked.reservation.id)).toMatchObject({ status: "confirmed" });
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);
    });
  });

  describe("confirmReservation", () => {
    it("confirms a held reservation with its outbox row, and the expiry job then leaves it alone", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id, { quantity: 2 });
      const id = held.reservation.id;

      expect(await confirmReservation({ reservationId: id, actor: staffActor, requestId: "req-confirm-1" })).toEqual({
        outcome: "confirmed",
        status: "confirmed",
      });
      expect(await statusOf(id)).toMatchObject({
        status: "confirmed",
        version: 2,
        holdExpiresAt: null,
        confirmedAt: T0,
      });
      expect(await outboxRows(ctx.db, id)).toEqual([
        expect.objectContaining({
          kind: "confirmed",
          revision: 2,
          recipient: "hanako@example.com",
          request_id: "req-confirm-1",
        }),
      ]);
      expect((await auditRows(ctx.db, id)).map((a) => a.action)).toEqual(["reservation.held", "reservation.confirmed"]);

      // Confirming again changes nothing; the hold's deadline no longer matters.
      expect(await confirmReservation({ reservationId: id, actor: staffActor })).toEqual({
        outcome: "already_confirmed",
        status: "confirmed",
      });
      clock.advance(HOUR);
      expect(await expireHolds()).toBe(0);
      expect(await slotReserved(ctx.db, slot.id)).toBe(2);
      expect(await outboxRows(ctx.db, id)).toHaveLength(1);
    });

    it("reports not_held for an expired hold and leaves seats, state and outbox untouched", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id, { quantity: 2 });
      clock.advance(15 * MINUTE);
      expect(await expireHolds()).toBe(1);
      const before = await snapshot(ctx.db);

      expect(await confirmReservation({ reservationId: held.reservation.id, actor: staffActor })).toEqual({
        outcome: "not_held",
        status: "expired",
      });
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await slotReserved(ctx.db, slot.id)).toBe(0);
      expect(await outboxRows(ctx.db, held.reservation.id)).toEqual([]);
    });
  });

  describe("/api/cron/expire-holds", () => {
    const PATH = "/api/cron/expire-holds";

    it("answers 401 without the bearer token and releases nothing", async () => {
      const restore = setEnv({ CRON_SECRET: TEST_CRON_SECRET });
      try {
        const slot = await paidSlot();
        await holdOk(slot.id);
        clock.advance(20 * MINUTE);
        const before = await snapshot(ctx.db);
        await expectProblem(await callRoute(expireHoldsRoute.POST, PATH, { method: "POST" }), 401, "unauthorized");
        await expectProblem(
          await callRoute(expireHoldsRoute.GET, PATH, { headers: { authorization: "Bearer not-the-secret" } }),
          401,
          "unauthorized",
        );
        expect(await snapshot(ctx.db)).toEqual(before);
        expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      } finally {
        restore();
      }
    });

    it("expires due holds with the bearer token and reports the job result", async () => {
      const restore = setEnv({ CRON_SECRET: TEST_CRON_SECRET });
      try {
        const slot = await paidSlot();
        const due = await holdOk(slot.id, { quantity: 2 });
        clock.advance(10 * MINUTE);
        const notDue = await holdOk(slot.id, { quantity: 1 });
        clock.advance(6 * MINUTE);

        const res = await callRoute(expireHoldsRoute.POST, PATH, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
        });
        expect(await expectJson<JobResult>(res)).toMatchObject({ job: "expire-holds", status: "done", affected: 1 });
        expect(await statusOf(due.reservation.id)).toMatchObject({ status: "expired" });
        expect(await statusOf(notDue.reservation.id)).toMatchObject({ status: "held" });
        expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      } finally {
        restore();
      }
    });
  });
});
