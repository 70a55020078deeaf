import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as getReservationRoute } from "@/app/api/reservations/[id]/route";
import { POST as postReservationRoute } from "@/app/api/reservations/route";
import { clock } from "@/lib/clock";
import type { ReservationView } from "@/server/booking/read";
import { queryRows } from "@/server/db/client";
import { reservations, services } from "@/server/db/schema";
import {
  HOUR,
  MINUTE,
  T0,
  at,
  auditRows,
  holdOk,
  holdPayload,
  manageTokenOf,
  newService,
  outboxRows,
  postHold,
  slotReserved,
  snapshot,
  type HoldResponse,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { withEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { UUID, apiRequest, callRoute, expectJson, expectProblem } from "../helpers/http";

const CODE = /^BK-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

describeEachDatabase("booking: hold and read", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const paidSlot = async (capacity = 4, reserved = 0) => {
    const service = await newService(ctx.db, { priceAmount: 1500 });
    return insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity, reserved });
  };

  describe("POST /api/reservations", () => {
    it("holds a paid service: 201, held for HOLD_MINUTES, price × quantity, a pay step and a manage link", async () => {
      const slot = await paidSlot(4);
      const res = await postHold(holdPayload(slot.id, { quantity: 3 }));
      const body = await expectJson<HoldResponse>(res, 201);
      const token = manageTokenOf(body.manageUrl);

      expect(body.reservation).toEqual({
        id: expect.stringMatching(UUID),
        code: expect.stringMatching(CODE),
        status: "held",
        slotId: slot.id,
        quantity: 3,
        holdExpiresAt: at(15 * MINUTE).toISOString(),
        amount: { amount: 4500, currency: "JPY" },
      });
      const { code, id } = body.reservation;
      expect(body.manageUrl).toBe(`http://localhost:3000/reservations/${code}?token=${token}`);
      expect(body.next).toEqual({ type: "pay", url: `http://localhost:3000/reservations/${code}/pay?token=${token}` });
      expect(res.headers.get("idempotency-replayed")).toBeNull();

      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
      const [row] = await ctx.db.select().from(reservations).where(eq(reservations.id, id));
      expect(row).toMatchObject({
        status: "held",
        quantity: 3,
        amount: 4500,
        currency: "JPY",
        customerEmail: "hanako@example.com",
        locale: "ja",
        userId: null,
        version: 1,
        confirmedAt: null,
        manageTokenHash: createHash("sha256").update(token).digest("hex"),
      });
      expect(row?.holdExpiresAt?.toISOString()).toBe(at(15 * MINUTE).toISOString());

      const audit = await auditRows(ctx.db, id);
      expect(audit).toEqual([
        expect.objectContaining({
          action: "reservation.held",
          actor_role: "guest",
          after: { status: "held", slotId: slot.id, quantity: 3, amount: 4500 },
          request_id: res.headers.get("x-request-id"),
        }),
      ]);
      expect(await outboxRows(ctx.db, id)).toEqual([]);
    });

    it("honours HOLD_MINUTES, APP_BASE_URL and normalises the customer's email", async () => {
      const slot = await paidSlot();
      await withEnv({ HOLD_MINUTES: "5", APP_BASE_URL: "https://book.example.com/" }, async () => {
        const payload = holdPayload(slot.id, { customer: { name: "Ann", email: "  Ann@Example.COM " } });
        const body = await expectJson<HoldResponse>(await postHold(payload), 201);
        expect(body.reservation.holdExpiresAt).toBe(at(5 * MINUTE).toISOString());
        expect(body.manageUrl).toMatch(
          new RegExp(`^https://book\\.example\\.com/reservations/${body.reservation.code}\\?token=`),
        );
        const [row] = await ctx.db.select().from(reservations).where(eq(reservations.id, body.reservation.id));
        expect(row?.customerEmail).toBe("ann@example.com");
      });
    });

    it("confirms a free service at once, with its audit row and confirmation outbox row in the same transaction", async () => {
      const service = await newService(ctx.db, { priceAmount: 0 });
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(48 * HOUR), capacity: 3 });
      const res = await postHold(holdPayload(slot.id, { quantity: 2, locale: "en" }));
      const body = await expectJson<HoldResponse>(res, 201);

      expect(body.reservation).toMatchObject({
        status: "confirmed",
        holdExpiresAt: null,
        quantity: 2,
        amount: { amount: 0, currency: "JPY" },
      });
      expect(body.next).toEqual({ type: "done" });
      expect(body.manageUrl).toMatch(new RegExp(`/reservations/${body.reservation.code}\\?token=[A-Za-z0-9_-]{43}$`));
      expect(await slotReserved(ctx.db, slot.id)).toBe(2);

      const { id, code } = body.reservation;
      const requestId = res.headers.get("x-request-id");
      expect(await outboxRows(ctx.db, id)).toEqual([
        {
          kind: "confirmed",
          channel: "email",
          revision: 1,
          recipient: "hanako@example.com",
          locale: "en",
          status: "pending",
          payload: { code },
          request_id: requestId,
        },
      ]);
      const audit = await auditRows(ctx.db, id);
      expect(audit.map((a) => [a.action, a.request_id])).toEqual([["reservation.confirmed", requestId]]);

      // One transaction: the slot update, the reservation, its audit row and its outbox row share one xid.
      const xids = await queryRows<{ xid: string }>(
        ctx.db,
        sql`select xmin::text as xid from slots where id = ${slot.id}
            union all select xmin::text from reservations where id = ${id}
            union all select xmin::text from audit_log where entity_id = ${id}
            union all select xmin::text from notifications where reservation_id = ${id}`,
      );
      expect(xids).toHaveLength(4);
      expect(new Set(xids.map((x) => x.xid)).size).toBe(1);
    });

    it("answers 409 sold_out when fewer seats are left than asked, and changes nothing", async () => {
      const slot = await paidSlot(3);
      await holdOk(slot.id, { quantity: 2 });
      const before = await snapshot(ctx.db);

      const problem = await expectProblem(await postHold(holdPayload(slot.id, { quantity: 2 })), 409, "sold_out");
      expect(problem.detail).toMatch(/seats/);
      expect(await snapshot(ctx.db)).toEqual(before);
      expect(await slotReserved(ctx.db, slot.id)).toBe(2);

      // The last seat is still there for someone asking for one.
      await holdOk(slot.id, { quantity: 1 });
      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
      await expectProblem(await postHold(holdPayload(slot.id)), 409, "sold_out");
      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
    });

    it.each([
      ["a closed slot", 409, "slot_closed", { status: "closed" as const }],
      ["a cancelled slot", 409, "slot_closed", { status: "cancelled" as const }],
      ["a slot that has started", 409, "slot_in_past", { startsAt: at(-1 * MINUTE) }],
      ["a slot starting right now", 409, "slot_in_past", { startsAt: T0 }],
    ])("answers %s with %i %s and changes nothing", async (_case, status, code, slotValues) => {
      const service = await newService(ctx.db);
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), ...slotValues });
      const before = await snapshot(ctx.db);
      await expectProblem(await postHold(holdPayload(slot.id)), status, code);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("answers 409 slot_closed for a slot of an inactive service", async () => {
      const slot = await paidSlot();
      await ctx.db.update(services).set({ active: false }).where(eq(services.id, slot.serviceId));
      const before = await snapshot(ctx.db);
      await expectProblem(await postHold(holdPayload(slot.id)), 409, "slot_closed");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("answers 404 slot_not_found for an unknown slot", async () => {
      const before = await snapshot(ctx.db);
      await expectProblem(await postHold(holdPayload(crypto.randomUUID())), 404, "slot_not_found");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it.each([0, -1, 11, 1000])("answers 422 quantity_invalid for quantity %i and changes nothing", async (quantity) => {
      const slot = await paidSlot(1000);
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(await postHold(holdPayload(slot.id, { quantity })), 422, "quantity_invalid");
      expect(problem.errors?.map((e) => e.path)).toEqual(["body.quantity"]);
      expect(problem.detail).toBe("Book between 1 and 10 seats.");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("takes the upper bound from MAX_SEATS_PER_BOOKING", async () => {
      const slot = await paidSlot(10);
      await withEnv({ MAX_SEATS_PER_BOOKING: "3" }, async () => {
        const before = await snapshot(ctx.db);
        await expectProblem(await postHold(holdPayload(slot.id, { quantity: 4 })), 422, "quantity_invalid");
        expect(await snapshot(ctx.db)).toEqual(before);
        await holdOk(slot.id, { quantity: 3 });
      });
      expect(await slotReserved(ctx.db, slot.id)).toBe(3);
    });

    it.each([
      ["a fractional quantity", { quantity: 1.5 }, ["body.quantity"]],
      ["a quantity given as text", { quantity: "2" }, ["body.quantity"]],
      ["a bad email", { customer: { name: "Hanako", email: "not-an-email" } }, ["body.customer.email"]],
      ["an empty name", { customer: { name: "  ", email: "hanako@example.com" } }, ["body.customer.name"]],
      [
        "a bad phone number",
        { customer: { name: "Hanako", email: "h@example.com", phone: "call me" } },
        ["body.customer.phone"],
      ],
      ["a slot id that is not a UUID", { slotId: "slot-1" }, ["body.slotId"]],
      ["an unsupported locale", { locale: "fr" }, ["body.locale"]],
      ["an unknown field", { coupon: "FREE" }, ["body"]],
    ])(
      "answers 422 validation_failed with the field path for %s, and changes nothing",
      async (_case, overrides, paths) => {
        const slot = await paidSlot();
        const before = await snapshot(ctx.db);
        const problem = await expectProblem(await postHold(holdPayload(slot.id, overrides)), 422, "validation_failed");
        expect(problem.errors?.map((e) => e.path)).toEqual(paths);
        expect(await snapshot(ctx.db)).toEqual(before);
      },
    );

    it.each([
      ["malformed JSON", '{"slotId": ', "application/json", 400, "malformed_json"],
      ["an empty body", "", "application/json", 400, "malformed_json"],
      ["a form body", "slotId=1&quantity=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"],
    ])("answers %s with %i %s and changes nothing", async (_case, raw, type, status, code) => {
      await paidSlot();
      const before = await snapshot(ctx.db);
      const req = apiRequest("/api/reservations", {
        method: "POST",
        body: raw,
        headers: { "content-type": type, "idempotency-key": crypto.randomUUID() },
      });
      await expectProblem(await postReservationRoute(req), status, code);
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("GET /api/reservations/{id}", () => {
    const get = (id: string, search = "", headers: Record<string, string> = {}) =>
      callRoute(getReservationRoute, `/api/reservations/${id}${search}`, { params: { id }, headers });

    it("returns the reservation for its manage token, as ?token= or X-Manage-Token", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id, {
        quantity: 2,
        customer: { name: "山田 花子", email: "hanako@example.com", phone: "090-1234-5678" },
      });
      const { id, code } = held.reservation;

      const viaQuery = await expectJson<{ reservation: ReservationView }>(await get(id, `?token=${held.token}`));
      expect(viaQuery.reservation).toEqual({
        id,
        code,
        status: "held",
        quantity: 2,
        holdExpiresAt: at(15 * MINUTE).toISOString(),
        amount: { amount: 3000, currency: "JPY" },
        locale: "ja",
        customer: { name: "山田 花子", email: "hanako@example.com", phone: "090-1234-5678" },
        slot: { id: slot.id, startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString() },
        service: { id: slot.serviceId, slug: expect.stringMatching(/^svc-/), nameJa: "テスト", nameEn: "Test" },
        version: 1,
        createdAt: T0.toISOString(),
        payment: null,
      });

      const viaHeader = await expectJson<{ reservation: ReservationView }>(
        await get(id, "", { "x-manage-token": held.token }),
      );
      expect(viaHeader).toEqual(viaQuery);
    });

    it("answers 404 for a wrong token or another reservation's token, exactly as for an unknown id", async () => {
      const slot = await paidSlot();
      const mine = await holdOk(slot.id);
      const theirs = await holdOk(slot.id);
      const wrong = "A".repeat(43);

      const a = await expectProblem(await get(mine.reservation.id, `?token=${wrong}`), 404, "reservation_not_found");
      const b = await expectProblem(
        await get(mine.reservation.id, `?token=${theirs.token}`),
        404,
        "reservation_not_found",
      );
      const c = await expectProblem(
        await get(crypto.randomUUID(), `?token=${mine.token}`),
        404,
        "reservation_not_found",
      );
      expect(new Set([a.detail, b.detail, c.detail]).size).toBe(1);
    });

    it("answers 401 without a token", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id);
      const problem = await expectProblem(await get(held.reservation.id), 401, "unauthorized");
      expect(JSON.stringify(problem)).not.toContain(held.reservation.code);
    });

    it.each([
      ["a bad id", "not-a-uuid", "", ["params.id"]],
      ["a token that is too short", crypto.randomUUID(), "?token=short", ["query.token"]],
      ["an unknown query parameter", crypto.randomUUID(), `?token=${"A".repeat(43)}&debug=1`, ["query"]],
    ])("answers 422 validation_failed for %s", async (_case, id, search, paths) => {
      const problem = await expectProblem(await get(id, search), 422, "validation_failed");
      expect(problem.errors?.map((e) => e.path)).toEqual(paths);
    });
  });
});
