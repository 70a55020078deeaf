import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as acceptRoute } from "@/app/api/admin/reservations/[id]/accept-late-payment/route";
import { POST as notifyRoute } from "@/app/api/admin/reservations/[id]/notify/route";
import { POST as refundRoute } from "@/app/api/admin/reservations/[id]/refund/route";
import { clock } from "@/lib/clock";
import { expireHolds } from "@/server/booking/expire";
import { queryRows } from "@/server/db/client";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { pauseWebhooks, resumeWebhooks } from "@/server/emulators/stripe/webhooks";
import { runJob } from "@/server/jobs/registry";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, MINUTE, T0, at, auditRows, holdOk, newService, slotReserved, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem, type RouteHandler } from "../helpers/http";
import {
  checkoutOk,
  deliverWebhooksInProcess,
  paymentRows,
  refundRows,
  reservationStatus,
  settle,
} from "../helpers/payments";

const IP = "198.51.100.23";
const CARD_OK = "4242 4242 4242 4242";

/** POST /api/admin/reservations/[id]/{refund,accept-late-payment,notify}: money and messages, scoped to the reservation. */
describeEachDatabase("admin API: reservation refunds, late payments and resends", (ctx) => {
  let staff: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    resetStripeEmulator();
    deliverWebhooksInProcess();
    clock.set(T0, { freeze: true });
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
    options: { who?: SignedIn | null; key?: string; requestId?: string } = {},
  ) => {
    const who = options.who === undefined ? staff : options.who;
    const headers: Record<string, string> = {
      "x-forwarded-for": IP,
      "x-request-id": options.requestId ?? `req-${crypto.randomUUID()}`,
      "idempotency-key": options.key ?? crypto.randomUUID(),
    };
    if (who) headers.authorization = `Bearer ${who.token}`;
    return callRoute(handler, `/api/admin/reservations/${id}/${action}`, {
      method: "POST",
      json: body,
      params: { id },
      headers,
    });
  };

  const paidSlot = async (capacity = 4) =>
    insertSlot(ctx.db, {
      serviceId: (await newService(ctx.db, { priceAmount: 1500 })).id,
      startsAt: at(72 * HOUR),
      capacity,
    });
  const paidConfirmed = async () => {
    const held = await holdOk((await paidSlot()).id);
    expect((await payCheckoutSession((await checkoutOk(held)).sessionId, CARD_OK)).outcome).toBe("succeeded");
    await settle();
    return held.reservation.id;
  };
  const moneyState = async () => {
    const [row] = await queryRows<{ refunds: string; payments: string }>(
      ctx.db,
      sql`select coalesce((select string_agg(id::text || ':' || amount || ':' || status, ',' order by id) from refunds), '') as refunds,
                 coalesce((select string_agg(id::text || ':' || status || ':' || amount_refunded, ',' order by id) from payments), '') as payments`,
    );
    return { ...(await snapshot(ctx.db)), ...row };
  };

  it.each([
    ["refund", refundRoute, { reason: "r", amount: 100 }],
    ["accept-late-payment", acceptRoute, { reason: "r" }],
    ["notify", notifyRoute, { type: "resend", notificationId: crypto.randomUUID(), reason: "r" }],
  ] as const)(
    "%s: 401 without a session, 403 for a customer, 422 without a reason; nothing changes",
    async (action, handler, body) => {
      const id = await paidConfirmed();
      const before = await moneyState();
      await expectProblem(await post(handler, action, id, body, { who: null }), 401, "unauthorized");
      await expectProblem(await post(handler, action, id, body, { who: user }), 403, "forbidden");
      await expectProblem(await post(handler, action, id, { ...body, reason: "" }), 422, "validation_failed");
      expect(await moneyState()).toEqual(before);
    },
  );

  describe("refund without cancelling", () => {
    it("refunds part of the payment, keeps the reservation confirmed, audits it, and replays a repeated key", async () => {
      const id = await paidConfirmed();
      const key = crypto.randomUUID();
      const body = { reason: "Goodwill: the room was cold", amount: 600 };
      const res = await post(refundRoute, "refund", id, body, { key, requestId: "req-refund-0001" });
      expect((await expectJson<{ refund: { amount: number; status: string } }>(res)).refund).toMatchObject({
        amount: 600,
        currency: "JPY",
        status: "succeeded",
      });
      await settle();
      expect(await reservationStatus(ctx.db, id)).toBe("confirmed");
      expect((await paymentRows(ctx.db, id))[0]).toMatchObject({ status: "partially_refunded", amount_refunded: 600 });
      expect(await refundRows(ctx.db, id)).toMatchObject([
        { amount: 600, status: "succeeded", reason: "Goodwill: the room was cold" },
      ]);
      const [requested] = await queryRows<{
        actor_id: string;
        actor_role: string;
        reason: string;
        request_id: string;
        ip: string;
        after: { amount: number };
      }>(
        ctx.db,
        sql`select actor_id::text, actor_role, reason, request_id, ip, after from audit_log where action = 'payment.refund_requested' and request_id = 'req-refund-0001'`,
      );
      expect(requested).toMatchObject({
        actor_id: staff.userId,
        actor_role: "staff",
        reason: "Goodwill: the room was cold",
        request_id: "req-refund-0001",
        ip: IP,
        after: { amount: 600 },
      });

      const before = await moneyState();
      const replay = await post(refundRoute, "refund", id, body, { key });
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      await expectJson(replay);
      await expectProblem(
        await post(refundRoute, "refund", id, { reason: "r", amount: 1000 }),
        409,
        "refund_exceeds_captured",
      );
      await expectProblem(await post(refundRoute, "refund", id, { reason: "r", amount: -5 }), 422, "validation_failed");
      await expectProblem(
        await post(refundRoute, "refund", id, { reason: "r", amount: 1.5 }),
        422,
        "validation_failed",
      );
      await expectProblem(
        await post(refundRoute, "refund", id, { reason: "r", paymentId: crypto.randomUUID() }),
        404,
        "not_found",
      );
      expect(await moneyState()).toEqual(before);

      // Without an amount: what remains.
      await expectJson(await post(refundRoute, "refund", id, { reason: "Refund the rest" }));
      await settle();
      expect((await paymentRows(ctx.db, id))[0]).toMatchObject({ status: "refunded", amount_refunded: 1500 });
      await expectProblem(await post(refundRoute, "refund", id, { reason: "again" }), 409, "refund_exceeds_captured");
    });

    it("409 for a reservation without a captured payment", async () => {
      const service = await newService(ctx.db, { priceAmount: 0 });
      const held = await holdOk((await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) })).id);
      const before = await moneyState();
      await expectProblem(
        await post(refundRoute, "refund", held.reservation.id, { reason: "r", amount: 100 }),
        409,
        "invalid_state",
      );
      expect(await moneyState()).toEqual(before);
    });
  });

  describe("late payment under the manual policy", () => {
    const payThenExpire = async (capacity: number) => {
      const slot = await paidSlot(capacity);
      const held = await holdOk(slot.id);
      const checkout = await checkoutOk(held);
      pauseWebhooks();
      expect((await payCheckoutSession(checkout.sessionId, CARD_OK)).outcome).toBe("succeeded");
      clock.advance(16 * MINUTE);
      expect((await runJob("expire-holds")).status).toBe("done");
      await resumeWebhooks();
      await settle();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("expired");
      return { id: held.reservation.id, slot };
    };

    it("accepts it: seats taken back, confirmed, audited with the reason", async () => {
      const restore = setEnv({ LATE_PAYMENT_POLICY: "manual" });
      try {
        const { id, slot } = await payThenExpire(4);
        expect((await paymentRows(ctx.db, id))[0]).toMatchObject({
          late_payment: true,
          outcome: "late_payment_manual",
        });
        await expectProblem(
          await post(acceptRoute, "accept-late-payment", id, { reason: "ok" }, { who: user }),
          403,
          "forbidden",
        );
        const res = await post(
          acceptRoute,
          "accept-late-payment",
          id,
          { reason: "Seats are free; keep the booking" },
          { requestId: "req-late-00001" },
        );
        expect((await expectJson<{ reservation: unknown }>(res)).reservation).toEqual({
          reservationId: id,
          status: "confirmed",
        });
        expect(await reservationStatus(ctx.db, id)).toBe("confirmed");
        expect(await slotReserved(ctx.db, slot.id)).toBe(1);
        const rows = (await auditRows(ctx.db, id)).filter((a) => a.request_id === "req-late-00001");
        // One row, written in the transaction that confirmed: the change and the staff member's reason together.
        expect(rows.map((a) => [a.action, a.actor_id, a.actor_role, a.reason])).toEqual([
          ["reservation.late_payment_accepted", staff.userId, "staff", "Seats are free; keep the booking"],
        ]);
        expect(rows[0]?.after).toMatchObject({ status: "confirmed", seatsTaken: 1 });
        const [ip] = await queryRows<{ ip: string }>(
          ctx.db,
          sql`select ip from audit_log where request_id = 'req-late-00001'`,
        );
        expect(ip?.ip).toBe(IP);
        await expectProblem(
          await post(acceptRoute, "accept-late-payment", id, { reason: "again" }),
          409,
          "invalid_state",
        );
      } finally {
        restore();
      }
    });

    it("409 without a late payment; sold_out (and no change) when the seats are gone", async () => {
      const confirmed = await paidConfirmed();
      await expectProblem(
        await post(acceptRoute, "accept-late-payment", confirmed, { reason: "r" }),
        409,
        "invalid_state",
      );
      const restore = setEnv({ LATE_PAYMENT_POLICY: "manual" });
      try {
        const { id, slot } = await payThenExpire(1);
        await holdOk(slot.id, { customer: { name: "Other", email: "other@example.com" } });
        const before = await moneyState();
        await expectProblem(await post(acceptRoute, "accept-late-payment", id, { reason: "try" }), 409, "sold_out");
        expect(await moneyState()).toEqual(before);
      } finally {
        restore();
      }
    });
  });

  describe("resend a notification", () => {
    it("sends this reservation's notification again as a new row, audited; another reservation's id is 404", async () => {
      const id = await paidConfirmed();
      const other = await paidConfirmed();
      const [confirmation] = await queryRows<{ id: string }>(
        ctx.db,
        sql`select id::text from notifications where reservation_id = ${id} and kind = 'confirmed'`,
      );
      const [foreign] = await queryRows<{ id: string }>(
        ctx.db,
        sql`select id::text from notifications where reservation_id = ${other} and kind = 'confirmed'`,
      );

      const before = await snapshot(ctx.db);
      await expectProblem(
        await post(notifyRoute, "notify", id, { type: "resend", notificationId: foreign!.id, reason: "r" }),
        404,
        "not_found",
      );
      await expectProblem(
        await post(notifyRoute, "notify", id, { type: "message", notificationId: confirmation!.id, reason: "r" }),
        422,
        "validation_failed",
      );
      expect(await snapshot(ctx.db)).toEqual(before);

      const res = await post(
        notifyRoute,
        "notify",
        id,
        { type: "resend", notificationId: confirmation!.id, reason: "Customer lost the email" },
        { requestId: "req-resend-0001" },
      );
      const { notification } = await expectJson<{ notification: { id: string } }>(res);
      const [copy] = await queryRows<{ kind: string; payload: { resendOf: string } }>(
        ctx.db,
        sql`select kind, payload from notifications where id = ${notification.id}`,
      );
      expect(copy).toMatchObject({ kind: "confirmed", payload: { resendOf: confirmation!.id } });
      expect((await auditRows(ctx.db, id)).at(-1)).toMatchObject({
        action: "notification.resent",
        actor_id: staff.userId,
        actor_role: "staff",
        reason: "Customer lost the email",
        request_id: "req-resend-0001",
        after: { notificationId: notification.id, resendOf: confirmation!.id, kind: "confirmed" },
      });
    });
  });
});
