import { beforeAll, afterEach, expect, it, vi } from "vitest";
import { GET as detailRoute } from "@/app/api/admin/reservations/[id]/route";
import { POST as notifyRoute } from "@/app/api/admin/reservations/[id]/notify/route";
import { POST as refundRoute } from "@/app/api/admin/reservations/[id]/refund/route";
import { sql } from "drizzle-orm";
import { queryRows } from "@/server/db/client";
import { getReservationDetail, type ReservationDetail } from "@/server/admin/reservation-detail";
import { listRescheduleOptions } from "@/server/admin/reservation-options";
import { searchReservations } from "@/server/admin/reservations";
import type { AuthContext } from "@/server/auth/session";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import type { TimelineEntry } from "@/server/admin/reservation-timeline";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, holdOk, holdPayload, newService, postHold, type HoldResponse } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import { checkoutOk, deliverWebhooksInProcess, settle } from "../helpers/payments";

/** The verified caller as the server functions take it (what the route builds from the token). */
const contextOf = (who: SignedIn, role: AuthContext["role"]): AuthContext => ({
  userId: who.userId,
  email: who.email,
  role,
  claims: { sub: who.userId, role: "authenticated", email: who.email, user_role: role, aud: "authenticated" },
});

/** What an entry is, in one word, for comparing sequences. */
const label = (e: TimelineEntry): string =>
  e.source === "audit"
    ? e.action
    : e.source === "payment"
      ? `payment:${e.event}`
      : e.source === "notification"
        ? `mail:${e.kind}`
        : e.source === "webhook"
          ? e.type
          : `refund:${e.status}`;

/**
 * GET /api/admin/reservations/[id]: the reservation with payments, refunds, notifications and webhook events, and one
 * timeline merging them with the audit rows in time order; read under RLS (a customer's token gets 403 at the route,
 * and asUser as a customer reads nothing of anyone else's). The system clock runs (not a test clock): audit rows take
 * their time from the database, so only real time keeps every source on one clock.
 */
describeEachDatabase("admin API: reservation detail and timeline", (ctx) => {
  let staff: SignedIn;
  let customer: SignedIn;
  let id = "";
  let detail: ReservationDetail;

  /**
   * Waits for a state, not a duration: until both clocks that stamp the timeline (the database's and this process's)
   * read later than its newest entry, so the next step cannot share an instant with the last one.
   */
  const clocksPastLatestEntry = async (reservationId: string) => {
    const { timeline } = await getReservationDetail(contextOf(staff, "staff"), reservationId);
    const latest = Math.max(0, ...timeline.map((e) => Date.parse(e.at)));
    // vi.waitFor, not expect.poll: this runs in beforeAll.
    await vi.waitFor(
      async () => {
        const [row] = await queryRows<{ ms: number }>(
          ctx.db,
          sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
        );
        // Whole milliseconds, as the timeline's times are.
        if (Math.min(Math.floor(Number(row!.ms)), Date.now()) <= latest)
          throw new Error("the clocks have not moved on");
      },
      { timeout: 5_000, interval: 1 },
    );
  };

  beforeAll(async () => {
    resetStripeEmulator();
    deliverWebhooksInProcess();
    staff = await signedInAs(ctx.db, "staff");
    customer = await signedInAs(ctx.db, "user");
    const service = await newService(ctx.db, { priceAmount: 2000 });
    const slot = await insertSlot(ctx.db, {
      serviceId: service.id,
      startsAt: new Date(Date.now() + 10 * 24 * HOUR),
      capacity: 3,
    });
    const held = await holdOk(slot.id, { customer: { name: "時系列 花子", email: "timeline@example.com" } });
    id = held.reservation.id;
    await clocksPastLatestEntry(id);
    expect((await payCheckoutSession((await checkoutOk(held)).sessionId, "4242 4242 4242 4242")).outcome).toBe(
      "succeeded",
    );
    await settle();
    await clocksPastLatestEntry(id);
    const headers = (key: string) => ({
      authorization: `Bearer ${staff.token}`,
      "idempotency-key": key,
      "x-forwarded-for": "192.0.2.44",
    });
    await expectJson(
      await callRoute(refundRoute, `/api/admin/reservations/${id}/refund`, {
        method: "POST",
        params: { id },
        json: { reason: "Partial goodwill", amount: 500 },
        headers: headers("k-refund"),
      }),
    );
    await settle();
    await clocksPastLatestEntry(id);
    detail = await getReservationDetail(contextOf(staff, "staff"), id);
    const confirmation = detail.notifications.find((n) => n.kind === "confirmed");
    await expectJson(
      await callRoute(notifyRoute, `/api/admin/reservations/${id}/notify`, {
        method: "POST",
        params: { id },
        json: { type: "resend", notificationId: confirmation!.id, reason: "Lost it" },
        headers: headers("k-resend"),
      }),
    );
  });
  afterEach(() => settle());

  const get = (token: string | null, reservationId = id) =>
    callRoute(detailRoute, `/api/admin/reservations/${reservationId}`, {
      params: { id: reservationId },
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("401 without a session, 403 for a customer, 404 for an unknown id, 422 for a malformed one", async () => {
    await expectProblem(await get(null), 401, "unauthorized");
    await expectProblem(await get(customer.token), 403, "forbidden");
    await expectProblem(await get(staff.token, crypto.randomUUID()), 404, "reservation_not_found");
    await expectProblem(await get(staff.token, "nope"), 422, "validation_failed");
  });

  it("returns the reservation with its payments, refunds, notifications and webhook events", async () => {
    const body = await expectJson<ReservationDetail>(await get(staff.token));
    expect(body.reservation).toMatchObject({ id, status: "confirmed", amount: { amount: 2000, currency: "JPY" } });
    expect(body.customer).toEqual({ name: "時系列 花子", email: "timeline@example.com", phone: null });
    expect(body.payments).toMatchObject([
      { attempt: 1, status: "partially_refunded", amount: 2000, amountRefunded: 500, latePayment: false },
    ]);
    expect(body.refunds).toMatchObject([
      { amount: 500, status: "succeeded", reason: "Partial goodwill", paymentId: body.payments[0]!.id },
    ]);
    expect(body.notifications.map((n) => [n.kind, n.channel])).toEqual([
      ["confirmed", "email"],
      ["refunded", "email"],
      ["confirmed", "email"],
    ]);
    for (const n of body.notifications)
      expect(n).toEqual(
        expect.objectContaining({ status: expect.any(String), attempts: expect.any(Number), lastError: null }),
      );
    // Every event about its session, payment intent, charge and refund; types the app does not handle are kept as ignored.
    expect(Object.fromEntries(body.webhookEvents.map((w) => [w.type, w.status]))).toEqual({
      "checkout.session.completed": "processed",
      "payment_intent.succeeded": "processed",
      "charge.refunded": "processed",
      "refund.created": "ignored",
      "refund.updated": "processed",
    });
  });

  it("merges everything into one timeline, oldest first, each step after its cause", async () => {
    const { timeline } = await expectJson<ReservationDetail>(await get(staff.token));
    const times = timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(timeline.map((e) => e.source))).toEqual(
      new Set(["audit", "payment", "refund", "notification", "webhook"]),
    );
    const order = timeline.map(label);
    const position = (name: string) => {
      const index = order.indexOf(name);
      expect(index, `${name} in ${order.join(", ")}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const story = [
      "reservation.held",
      "payment:started",
      "reservation.confirmed",
      "mail:confirmed",
      "payment.refund_requested",
      "refund:succeeded",
      "notification.resent",
    ];
    const positions = story.map(position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const resent = timeline.find((e) => e.source === "audit" && e.action === "notification.resent");
    expect(resent).toMatchObject({ actor: { id: staff.userId, role: "staff" }, reason: "Lost it", ip: "192.0.2.44" });
    expect(order.lastIndexOf("mail:confirmed")).toBeGreaterThan(positions.at(-2)!);
  });

  it("under RLS a customer reads nothing of anyone else's reservation, and of their own not the staff-only rows", async () => {
    const asCustomer = contextOf(customer, "user");
    await expect(getReservationDetail(asCustomer, id)).rejects.toMatchObject({ code: "reservation_not_found" });
    expect(await listRescheduleOptions(asCustomer, id)).toEqual([]);
    expect((await searchReservations(asCustomer, { sort: "-createdAt", page: 1, pageSize: 25 })).total).toBe(0);

    const slot = await insertSlot(ctx.db, {
      serviceId: (await newService(ctx.db, { priceAmount: 0 })).id,
      startsAt: new Date(Date.now() + 20 * 24 * HOUR),
    });
    const own = await expectJson<HoldResponse>(
      await postHold(holdPayload(slot.id), crypto.randomUUID(), { authorization: `Bearer ${customer.token}` }),
      201,
    );
    const mine = await getReservationDetail(asCustomer, own.reservation.id);
    expect(mine.reservation.userId).toBe(customer.userId);
    expect(mine.timeline.filter((e) => e.source === "audit" || e.source === "webhook")).toEqual([]);
    expect(
      (await searchReservations(asCustomer, { sort: "-createdAt", page: 1, pageSize: 25 })).reservations.map(
        (r) => r.id,
      ),
    ).toEqual([own.reservation.id]);
  });
});
