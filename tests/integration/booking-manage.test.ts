import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as cancelRoute } from "@/app/api/reservations/[id]/cancel/route";
import { POST as rescheduleRoute } from "@/app/api/reservations/[id]/reschedule/route";
import { clock } from "@/lib/clock";
import { cancelReservation } from "@/server/booking/cancel";
import { reservationSlotChanges, reservations } from "@/server/db/schema";
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
  type Held,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { withEnv } from "../helpers/env";
import { insertSlot, insertUser } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

type Changed = { reservation: { id: string; status?: string; slotId?: string; version: number } };

/** Cancel and reschedule through the manage link (token), and staff cancellation (domain verb). */
describeEachDatabase("booking: cancel and reschedule", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const cancel = (held: Held, token = held.token, json: unknown = {}) =>
    callRoute(cancelRoute, `/api/reservations/${held.reservation.id}/cancel?token=${token}`, {
      method: "POST",
      params: { id: held.reservation.id },
      json,
    });
  const reschedule = (held: Held, slotId: string, token = held.token) =>
    callRoute(rescheduleRoute, `/api/reservations/${held.reservation.id}/reschedule?token=${token}`, {
      method: "POST",
      params: { id: held.reservation.id },
      json: { slotId },
    });
  const row = async (id: string) => {
    const [r] = await ctx.db.select().from(reservations).where(eq(reservations.id, id));
    return r;
  };
  /** A free service (bookings confirm at once) with slots starting the given hours after T0. */
  const freeSlots = async (hours: number[], capacity = 4) => {
    const service = await newService(ctx.db, { priceAmount: 0 });
    const slots = [];
    for (const h of hours)
      slots.push(await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(h * HOUR), capacity }));
    return slots;
  };

  describe("POST /api/reservations/{id}/cancel", () => {
    it("cancels before the deadline: 200, seats returned, cancelled outbox row and audit row", async () => {
      const [slot] = await freeSlots([72]);
      const held = await holdOk(slot!.id, { quantity: 3 });
      expect(await slotReserved(ctx.db, slot!.id)).toBe(3);

      const res = await cancel(held, held.token, { reason: "plans changed" });
      expect(await expectJson<Changed>(res)).toEqual({
        reservation: { id: held.reservation.id, status: "cancelled", version: 2, refund: null },
      });
      expect(await slotReserved(ctx.db, slot!.id)).toBe(0);
      expect(await row(held.reservation.id)).toMatchObject({
        status: "cancelled",
        cancelledAt: T0,
        cancelReason: "plans changed",
        version: 2,
      });
      expect((await outboxRows(ctx.db, held.reservation.id)).map((o) => [o.kind, o.revision])).toEqual([
        ["confirmed", 1],
        ["cancelled", 2],
      ]);
      const audit = await auditRows(ctx.db, held.reservation.id);
      expect(audit.map((a) => a.action)).toEqual(["reservation.confirmed", "reservation.cancelled"]);
      expect(audit[1]).toMatchObject({
        actor_role: "guest",
        before: { status: "confirmed" },
        after: { status: "cancelled", seatsReleased: 3 },
        reason: "plans changed",
        request_id: res.headers.get("x-request-id"),
      });
    });

    it("cancels a held (unpaid) reservation too", async () => {
      const service = await newService(ctx.db, { priceAmount: 2000 });
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) });
      const held = await holdOk(slot.id, { quantity: 2 });
      await expectJson(await cancel(held));
      expect(await slotReserved(ctx.db, slot.id)).toBe(0);
      expect(await row(held.reservation.id)).toMatchObject({ status: "cancelled" });
    });

    it("answers 409 invalid_state the second time and changes nothing", async () => {
      const [slot] = await freeSlots([72]);
      const held = await holdOk(slot!.id);
      await expectJson(await cancel(held));
      const before = await snapshot(ctx.db);
      await expectProblem(await cancel(held), 409, "invalid_state");
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await slotReserved(ctx.db, slot!.id)).toBe(0);
    });

    it("answers 409 cancellation_window_closed within CANCELLATION_DEADLINE_HOURS of the start, and changes nothing", async () => {
      const [soon] = await freeSlots([23]);
      const held = await holdOk(soon!.id, { quantity: 2 });
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(await cancel(held), 409, "cancellation_window_closed");
      expect(problem.detail).toMatch(/24 hours/);
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await slotReserved(ctx.db, soon!.id)).toBe(2);
    });

    it("closes exactly CANCELLATION_DEADLINE_HOURS before the start", async () => {
      const [slot] = await freeSlots([48]);
      const a = await holdOk(slot!.id);
      const b = await holdOk(slot!.id);

      clock.set(at(24 * HOUR), { freeze: true });
      await expectProblem(await cancel(a), 409, "cancellation_window_closed");
      clock.set(at(24 * HOUR - MINUTE), { freeze: true });
      await expectJson(await cancel(b));
      expect(await slotReserved(ctx.db, slot!.id)).toBe(1);

      await withEnv({ CANCELLATION_DEADLINE_HOURS: "0" }, async () => {
        clock.set(at(47 * HOUR), { freeze: true });
        await expectJson(await cancel(a));
      });
      expect(await slotReserved(ctx.db, slot!.id)).toBe(0);
    });

    it("lets staff cancel within the window", async () => {
      const [soon] = await freeSlots([2]);
      const held = await holdOk(soon!.id, { quantity: 2 });
      const staffId = await insertUser(ctx.db, `staff-${crypto.randomUUID()}@example.com`);

      const result = await cancelReservation({
        reservationId: held.reservation.id,
        by: "staff",
        actor: { kind: "user", id: staffId, role: "staff" },
        reason: "customer phoned",
      });
      expect(result).toEqual({ id: held.reservation.id, status: "cancelled", version: 2, refund: null });
      expect(await slotReserved(ctx.db, soon!.id)).toBe(0);
      const audit = await auditRows(ctx.db, held.reservation.id);
      expect(audit.at(-1)).toMatchObject({
        action: "reservation.cancelled",
        actor_role: "staff",
        actor_id: staffId,
        reason: "customer phoned",
      });
      expect((await outboxRows(ctx.db, held.reservation.id)).map((o) => o.kind)).toEqual(["confirmed", "cancelled"]);
    });

    it("answers 404 for a wrong token and 401 without one, and changes nothing", async () => {
      const [slot] = await freeSlots([72]);
      const held = await holdOk(slot!.id);
      const other = await holdOk(slot!.id);
      const before = await snapshot(ctx.db);
      await expectProblem(await cancel(held, "B".repeat(43)), 404, "reservation_not_found");
      await expectProblem(await cancel(held, other.token), 404, "reservation_not_found");
      const noToken = await callRoute(cancelRoute, `/api/reservations/${held.reservation.id}/cancel`, {
        method: "POST",
        params: { id: held.reservation.id },
        json: {},
      });
      await expectProblem(noToken, 401, "unauthorized");
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("POST /api/reservations/{id}/reschedule", () => {
    it("moves the seats in one step: old −q, new +q, version + 1, history and a rescheduled outbox row", async () => {
      const [from, to] = await freeSlots([72, 96]);
      const held = await holdOk(from!.id, { quantity: 3 });

      const res = await reschedule(held, to!.id);
      expect(await expectJson<Changed>(res)).toEqual({
        reservation: { id: held.reservation.id, slotId: to!.id, version: 2 },
      });
      expect([await slotReserved(ctx.db, from!.id), await slotReserved(ctx.db, to!.id)]).toEqual([0, 3]);
      expect(await row(held.reservation.id)).toMatchObject({ slotId: to!.id, status: "confirmed", version: 2 });

      const history = await ctx.db
        .select()
        .from(reservationSlotChanges)
        .where(eq(reservationSlotChanges.reservationId, held.reservation.id));
      expect(history).toEqual([
        expect.objectContaining({ fromSlotId: from!.id, toSlotId: to!.id, actorId: null, createdAt: T0 }),
      ]);
      expect(await outboxRows(ctx.db, held.reservation.id)).toEqual([
        expect.objectContaining({ kind: "confirmed", revision: 1 }),
        expect.objectContaining({
          kind: "rescheduled",
          revision: 2,
          payload: {
            code: held.reservation.code,
            fromSlotId: from!.id,
            toSlotId: to!.id,
            previousStartsAt: from!.startsAt.toISOString(),
            previousEndsAt: from!.endsAt.toISOString(),
          },
          request_id: res.headers.get("x-request-id"),
        }),
      ]);
      expect((await auditRows(ctx.db, held.reservation.id)).at(-1)).toMatchObject({
        action: "reservation.rescheduled",
        before: { slotId: from!.id, startsAt: from!.startsAt.toISOString() },
        after: { slotId: to!.id, startsAt: to!.startsAt.toISOString() },
      });

      // And back again: a new revision, a second history row.
      await expectJson(await reschedule(held, from!.id));
      expect([await slotReserved(ctx.db, from!.id), await slotReserved(ctx.db, to!.id)]).toEqual([3, 0]);
      expect((await outboxRows(ctx.db, held.reservation.id)).map((o) => [o.kind, o.revision])).toEqual([
        ["confirmed", 1],
        ["rescheduled", 2],
        ["rescheduled", 3],
      ]);
      expect(
        await ctx.db
          .select()
          .from(reservationSlotChanges)
          .where(eq(reservationSlotChanges.reservationId, held.reservation.id)),
      ).toHaveLength(2);
    });

    it("answers 409 sold_out for a target without enough seats, and changes nothing", async () => {
      const [from, to] = await freeSlots([72, 96], 3);
      const mine = await holdOk(from!.id, { quantity: 2 });
      await holdOk(to!.id, { quantity: 2 });
      const before = await snapshot(ctx.db);
      await expectProblem(await reschedule(mine, to!.id), 409, "sold_out");
      expect(await snapshot(ctx.db)).toEqual(before);
      expect([await slotReserved(ctx.db, from!.id), await slotReserved(ctx.db, to!.id)]).toEqual([2, 2]);
    });

    it("answers 422 for a slot of another service, and changes nothing", async () => {
      const [from] = await freeSlots([72]);
      const [elsewhere] = await freeSlots([96]);
      const held = await holdOk(from!.id);
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(await reschedule(held, elsewhere!.id), 422, "validation_failed");
      expect(problem.errors?.map((e) => e.path)).toEqual(["body.slotId"]);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it.each([
      ["a closed target", 409, "slot_closed", { status: "closed" as const, startsAt: at(96 * HOUR) }],
      ["a target that has started", 409, "slot_in_past", { startsAt: at(-HOUR) }],
    ])("answers %s with %i %s, and changes nothing", async (_case, status, code, target) => {
      const [from] = await freeSlots([72]);
      const to = await insertSlot(ctx.db, { serviceId: from!.serviceId, capacity: 4, ...target });
      const held = await holdOk(from!.id);
      const before = await snapshot(ctx.db);
      await expectProblem(await reschedule(held, to.id), status, code);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("answers 409 invalid_state for the slot it is already in, 404 for an unknown slot, and changes nothing", async () => {
      const [from] = await freeSlots([72]);
      const held = await holdOk(from!.id);
      const before = await snapshot(ctx.db);
      await expectProblem(await reschedule(held, from!.id), 409, "invalid_state");
      await expectProblem(await reschedule(held, crypto.randomUUID()), 404, "slot_not_found");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("answers 409 invalid_state for a cancelled reservation and cancellation_window_closed near the start", async () => {
      const [from, to, soon] = await freeSlots([72, 96, 20]);
      const cancelled = await holdOk(from!.id);
      await expectJson(await cancel(cancelled));
      const late = await holdOk(soon!.id);
      const before = await snapshot(ctx.db);
      await expectProblem(await reschedule(cancelled, to!.id), 409, "invalid_state");
      await expectProblem(await reschedule(late, to!.id), 409, "cancellation_window_closed");
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });
});
