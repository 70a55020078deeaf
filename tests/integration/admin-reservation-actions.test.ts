import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as cancelRoute } from "@/app/api/admin/reservations/[id]/cancel/route";
import { POST as noShowRoute } from "@/app/api/admin/reservations/[id]/no-show/route";
import { POST as rescheduleRoute } from "@/app/api/admin/reservations/[id]/reschedule/route";
import { GET as slotsRoute } from "@/app/api/admin/reservations/[id]/slots/route";
import { clock } from "@/lib/clock";
import { expireHolds } from "@/server/booking/expire";
import { queryRows } from "@/server/db/client";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, T0, at, auditRows, holdOk, newService, outboxRows, slotReserved, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem, type RouteHandler } from "../helpers/http";
import { checkoutOk, deliverWebhooksInProcess, refundRows, reservationStatus, settle } from "../helpers/payments";

const IP = "203.0.113.9";

/** POST /api/admin/reservations/[id]/{cancel,reschedule,no-show}: guards, bad input, state rules, audit rows. */
describeEachDatabase("admin API: reservation actions (cancel, reschedule, no-show)", (ctx) => {
  let staff: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    resetStripeEmulator();
    deliverWebhooksInProcess();
    clock.set(T0, { freeze: true });
    // Tokens are issued and checked by the app clock, so sign in after it is set.
    staff = await signedInAs(ctx.db, "staff");
    user = await signedInAs(ctx.db, "user");
  });
  afterEach(async () => {
    await settle();
    clock.reset();
  });

  const post = (
    handler: RouteHandler,
    action: string,
    id: string,
    body: unknown,
    options: { who?: SignedIn | null; key?: string | null; requestId?: string } = {},
  ) => {
    const who = options.who === undefined ? staff : options.who;
    const headers: Record<string, string> = {
      "x-forwarded-for": IP,
      "x-request-id": options.requestId ?? `req-${crypto.randomUUID()}`,
    };
    if (who) headers.authorization = `Bearer ${who.token}`;
    if (options.key !== null) headers["idempotency-key"] = options.key ?? crypto.randomUUID();
    return callRoute(handler, `/api/admin/reservations/${id}/${action}`, {
      method: "POST",
      json: body,
      params: { id },
      headers,
    });
  };

  const paidConfirmed = async (startsIn = 72 * HOUR, quantity = 1) => {
    const service = await newService(ctx.db, { priceAmount: 1500 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(startsIn), capacity: 4 });
    const held = await holdOk(slot.id, { quantity });
    expect((await payCheckoutSession((await checkoutOk(held)).sessionId, "4242 4242 4242 4242")).outcome).toBe(
      "succeeded",
    );
    await settle();
    expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
    return { id: held.reservation.id, slot, serviceId: service.id };
  };
  const freeConfirmed = async (startsIn = 72 * HOUR) => {
    const service = await newService(ctx.db, { priceAmount: 0 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(startsIn), capacity: 4 });
    const held = await holdOk(slot.id);
    return { id: held.reservation.id, slot, serviceId: service.id };
  };

  const routes: [string, RouteHandler, unknown][] = [
    ["cancel", cancelRoute, { reason: "customer phoned", refund: "full" }],
    ["reschedule", rescheduleRoute, { reason: "customer phoned", slotId: crypto.randomUUID() }],
    ["no-show", noShowRoute, { reason: "did not come" }],
  ];

  describe("guards and bad input change nothing", () => {
    it.each(routes)(
      "%s: 401 without a session, 403 for a customer, before the body is read",
      async (action, handler, body) => {
        const { id } = await freeConfirmed();
        const before = await snapshot(ctx.db);
        await expectProblem(await post(handler, action, id, body, { who: null }), 401, "unauthorized");
        await expectProblem(await post(handler, action, id, body, { who: user }), 403, "forbidden");
        await expectProblem(await post(handler, action, id, { nonsense: true }, { who: user }), 403, "forbidden");
        expect(await snapshot(ctx.db)).toEqual(before);
      },
    );

    it.each(routes)(
      "%s: 400 for malformed JSON or a missing Idempotency-Key, 422 without a reason",
      async (action, handler, body) => {
        const { id } = await freeConfirmed();
        const before = await snapshot(ctx.db);
        const malformed = await callRoute(handler, `/api/admin/reservations/${id}/${action}`, {
          method: "POST",
          body: "{not json",
          params: { id },
          headers: {
            authorization: `Bearer ${staff.token}`,
            "content-type": "application/json",
            "idempotency-key": crypto.randomUUID(),
          },
        });
        await expectProblem(malformed, 400, "malformed_json");
        await expectProblem(await post(handler, action, id, body, { key: null }), 400, "missing_header");
        const { reason: _reason, ...noReason } = body as Record<string, unknown>;
        const missing = await expectProblem(await post(handler, action, id, noReason), 422, "validation_failed");
        expect(missing.errors?.map((e) => e.path)).toContain("body.reason");
        await expectProblem(
          await post(handler, action, id, { ...(body as object), reason: "   " }),
          422,
          "validation_failed",
        );
        await expectProblem(
          await post(handler, action, id, { ...(body as object), reason: "x".repeat(501) }),
          422,
          "validation_failed",
        );
        await expectProblem(await post(handler, action, "not-a-uuid", body), 422, "validation_failed");
        expect(await snapshot(ctx.db)).toEqual(before);
      },
    );
  });

  describe("cancel", () => {
    it("cancels a paid reservation with a partial refund, audited with actor, role, reason, request id and IP", async () => {
      const { id, slot } = await paidConfirmed(72 * HOUR, 2);
      expect(await slotReserved(ctx.db, slot.id)).toBe(2);
      const key = crypto.randomUUID();
      const body = { reason: "Closed for a private event", refund: { amount: 1000 } };
      const res = await post(cancelRoute, "cancel", id, body, { key, requestId: "req-cancel-00001" });
      const done = await expectJson<{ reservation: { status: string; refund: { amount: number } } }>(res);
      expect(done.reservation).toMatchObject({ id, status: "cancelled", refund: { amount: 1000, currency: "JPY" } });
      await settle();
      expect(await reservationStatus(ctx.db, id)).toBe("cancelled");
      expect(await slotReserved(ctx.db, slot.id)).toBe(0);
      expect(await refundRows(ctx.db, id)).toMatchObject([
        { amount: 1000, status: "succeeded", reason: "cancelled: Closed for a private event" },
      ]);
      const audit = await queryRows<{
        action: string;
        actor_id: string;
        actor_role: string;
        reason: string;
        request_id: string;
        ip: string;
      }>(
        ctx.db,
        sql`select action, actor_id::text, actor_role, reason, request_id, ip from audit_log
             where request_id = 'req-cancel-00001' and action <> 'payment.refund_succeeded' order by id`,
      );
      const who = { actor_id: staff.userId, actor_role: "staff", request_id: "req-cancel-00001", ip: IP };
      expect(audit).toEqual([
        { action: "reservation.cancelled", reason: "Closed for a private event", ...who },
        { action: "payment.refund_requested", reason: "cancelled: Closed for a private event", ...who },
      ]);
      // The gateway's answer, recorded once by the system: under this request id when the submission settled it, or
      // under the webhook's when charge.refunded arrived first (the two race; either is right).
      const [refund] = await refundRows(ctx.db, id);
      const settled = await queryRows<{ actor_role: string; actor_id: string | null }>(
        ctx.db,
        sql`select actor_role, actor_id::text from audit_log where action = 'payment.refund_succeeded' and after ->> 'refundId' = ${refund!.id}`,
      );
      expect(settled).toEqual([{ actor_role: "system:payments", actor_id: null }]);
      expect((await outboxRows(ctx.db, id)).map((o) => o.kind)).toContain("cancelled");

      // The same key replays the answer; nothing happens twice.
      const after = await snapshot(ctx.db);
      const replay = await post(cancelRoute, "cancel", id, body, { key });
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect((await expectJson<typeof done>(replay)).reservation.status).toBe("cancelled");
      // A new request on a cancelled reservation is a state conflict.
      await expectProblem(
        await post(cancelRoute, "cancel", id, { reason: "again", refund: "none" }),
        409,
        "invalid_state",
      );
      expect(await snapshot(ctx.db)).toEqual(after);
      expect(await refundRows(ctx.db, id)).toHaveLength(1);
    });

    it("refund none keeps the money; a refund above what was paid rolls the whole cancellation back", async () => {
      const kept = await paidConfirmed();
      await expectJson(await post(cancelRoute, "cancel", kept.id, { reason: "no refund: policy", refund: "none" }));
      expect(await refundRows(ctx.db, kept.id)).toEqual([]);
      expect(await reservationStatus(ctx.db, kept.id)).toBe("cancelled");

      const other = await paidConfirmed();
      const before = await snapshot(ctx.db);
      await expectProblem(
        await post(cancelRoute, "cancel", other.id, { reason: "typo", refund: { amount: 9999 } }),
        409,
        "refund_exceeds_captured",
      );
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await reservationStatus(ctx.db, other.id)).toBe("confirmed");
    });

    it("404 for an id that does not exist", async () => {
      await expectProblem(
        await post(cancelRoute, "cancel", crypto.randomUUID(), { reason: "x", refund: "full" }),
        404,
        "reservation_not_found",
      );
    });
  });

  describe("reschedule", () => {
    it("lists the slots it can move to and moves there, audited", async () => {
      const { id, slot, serviceId } = await freeConfirmed();
      const target = await insertSlot(ctx.db, { serviceId, startsAt: at(96 * HOUR), capacity: 2 });
      const full = await insertSlot(ctx.db, { serviceId, startsAt: at(97 * HOUR), capacity: 2, reserved: 2 });
      await insertSlot(ctx.db, { serviceId, startsAt: at(98 * HOUR), capacity: 2, status: "closed" });
      await insertSlot(ctx.db, { serviceId, startsAt: at(-2 * HOUR), capacity: 2 });
      const elsewhere = await insertSlot(ctx.db, {
        serviceId: (await newService(ctx.db)).id,
        startsAt: at(99 * HOUR),
        capacity: 2,
      });

      const options = await expectJson<{ slots: { id: string; remaining: number }[] }>(
        await callRoute(slotsRoute, `/api/admin/reservations/${id}/slots`, {
          params: { id },
          headers: { authorization: `Bearer ${staff.token}` },
        }),
      );
      expect(options.slots).toEqual([
        { id: target.id, startsAt: target.startsAt.toISOString(), endsAt: target.endsAt.toISOString(), remaining: 2 },
      ]);
      await expectProblem(
        await callRoute(slotsRoute, `/api/admin/reservations/${id}/slots`, {
          params: { id },
          headers: { authorization: `Bearer ${user.token}` },
        }),
        403,
        "forbidden",
      );
      await expectProblem(
        await callRoute(slotsRoute, `/api/admin/reservations/${id}/slots`, { params: { id } }),
        401,
        "unauthorized",
      );

      const before = await snapshot(ctx.db);
      await expectProblem(
        await post(rescheduleRoute, "reschedule", id, { reason: "r", slotId: full.id }),
        409,
        "sold_out",
      );
      await expectProblem(
        await post(rescheduleRoute, "reschedule", id, { reason: "r", slotId: elsewhere.id }),
        422,
        "validation_failed",
      );
      await expectProblem(
        await post(rescheduleRoute, "reschedule", id, { reason: "r", slotId: crypto.randomUUID() }),
        404,
        "slot_not_found",
      );
      expect(await snapshot(ctx.db)).toEqual(before);

      const res = await post(
        rescheduleRoute,
        "reschedule",
        id,
        { reason: "Customer asked by phone", slotId: target.id },
        { requestId: "req-move-000001" },
      );
      expect((await expectJson<{ reservation: { slotId: string; version: number } }>(res)).reservation).toMatchObject({
        id,
        slotId: target.id,
        version: 2,
      });
      expect([await slotReserved(ctx.db, slot.id), await slotReserved(ctx.db, target.id)]).toEqual([0, 1]);
      const last = (await auditRows(ctx.db, id)).at(-1);
      expect(last).toMatchObject({
        action: "reservation.rescheduled",
        actor_id: staff.userId,
        actor_role: "staff",
        reason: "Customer asked by phone",
        request_id: "req-move-000001",
      });
    });

    it("409 for a cancelled reservation", async () => {
      const { id, serviceId } = await freeConfirmed();
      const target = await insertSlot(ctx.db, { serviceId, startsAt: at(96 * HOUR) });
      await expectJson(await post(cancelRoute, "cancel", id, { reason: "r", refund: "none" }));
      await expectProblem(
        await post(rescheduleRoute, "reschedule", id, { reason: "r", slotId: target.id }),
        409,
        "invalid_state",
      );
      expect(await slotReserved(ctx.db, target.id)).toBe(0);
    });
  });

  describe("no-show", () => {
    it("only after the slot started; keeps the seats; audited; once", async () => {
      const { id, slot } = await freeConfirmed(2 * HOUR);
      const before = await snapshot(ctx.db);
      await expectProblem(await post(noShowRoute, "no-show", id, { reason: "not here" }), 409, "invalid_state");
      expect(await snapshot(ctx.db)).toEqual(before);

      clock.set(at(2 * HOUR + 10 * 60_000), { freeze: true });
      staff = await signedInAs(ctx.db, "staff");
      const res = await post(
        noShowRoute,
        "no-show",
        id,
        { reason: "Did not arrive within 10 minutes" },
        { requestId: "req-noshow-0001" },
      );
      expect((await expectJson<{ reservation: unknown }>(res)).reservation).toEqual({
        id,
        status: "no_show",
        version: 2,
      });
      expect(await reservationStatus(ctx.db, id)).toBe("no_show");
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      expect((await auditRows(ctx.db, id)).at(-1)).toEqual({
        action: "reservation.no_show",
        actor_id: staff.userId,
        actor_role: "staff",
        before: { status: "confirmed" },
        after: { status: "no_show", slotId: slot.id, startsAt: slot.startsAt.toISOString(), seatsKept: 1 },
        reason: "Did not arrive within 10 minutes",
        request_id: "req-noshow-0001",
      });
      await expectProblem(await post(noShowRoute, "no-show", id, { reason: "again" }), 409, "invalid_state");
    });

    it("409 for a reservation that is only held", async () => {
      const service = await newService(ctx.db, { priceAmount: 1500 });
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(HOUR) });
      const held = await holdOk(slot.id);
      clock.set(at(HOUR + 60_000), { freeze: true });
      staff = await signedInAs(ctx.db, "staff");
      await expectProblem(
        await post(noShowRoute, "no-show", held.reservation.id, { reason: "r" }),
        409,
        "invalid_state",
      );
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
    });
  });
});
