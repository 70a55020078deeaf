import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as getReservationRoute } from "@/app/api/reservations/[id]/route";
import { clock } from "@/lib/clock";
import { resetStripeEmulator, stripeEmulatorFetch } from "@/server/emulators/stripe/emulator";
import { clearStripeFaults, injectStripeFault } from "@/server/emulators/stripe/faults";
import { holdNextRefunds, settlePendingRefund } from "@/server/emulators/stripe/refunds";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { objects as stripeEmulatorObjects } from "@/server/emulators/stripe/state";
import { flushWebhooks, pauseWebhooks, redeliverEvent, resumeWebhooks } from "@/server/emulators/stripe/webhooks";
import { expireHolds } from "@/server/booking/expire";
import { cancelReservation } from "@/server/booking/cancel";
import { reservations, slots } from "@/server/db/schema";
import { runJob } from "@/server/jobs/registry";
import { EMULATOR_WEBHOOK_SECRET } from "@/server/payments/config";
import { refundPayment, submitRefund } from "@/server/payments/refunds";
import { acceptLatePayment } from "@/server/payments/settle";
import { getStripe, setStripeForTests } from "@/server/payments/stripe";
import { queryRows } from "@/server/db/client";
import type { ReservationView } from "@/server/booking/read";
import { HOUR, MINUTE, T0, at, auditRows, holdOk, newService, outboxRows, slotReserved } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import {
  checkoutOk,
  deliverWebhooksInProcess,
  inboxRows,
  paymentRows,
  postCheckout,
  postWebhook,
  refundRows,
  reservationStatus,
  settle,
} from "../helpers/payments";

const CARD_OK = "4242 4242 4242 4242";
const CARD_DECLINED = "4000 0000 0000 0002";
const CARD_NO_FUNDS = "4000 0000 0000 9995";

/** Issue 4: hold → checkout → signed webhook → confirmed, and every way that can go wrong. */
describeEachDatabase("payments: checkout, webhook inbox, late payments, refunds", (ctx) => {
  const system = { kind: "system", name: "payments-test" } as const;

  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    resetStripeEmulator();
    deliverWebhooksInProcess();
    clock.set(T0, { freeze: true });
  });
  afterEach(async () => {
    await settle();
    clearStripeFaults();
    setStripeForTests(undefined);
    clock.reset();
  });

  const paidSlot = async (capacity = 10, price = 1500) => {
    const service = await newService(ctx.db, { priceAmount: price });
    return insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity });
  };
  const view = async (id: string, token: string) =>
    (
      await expectJson<{ reservation: ReservationView }>(
        await callRoute(getReservationRoute, `/api/reservations/${id}?token=${token}`, { params: { id } }),
      )
    ).reservation;
  const kinds = async (id: string) => (await outboxRows(ctx.db, id)).map((o) => o.kind);
  const actions = async (id: string) => (await auditRows(ctx.db, id)).map((a) => a.action);
  /** What the gateway holds for one attempt, read from the emulator's own state (not through the API under test). */
  const sessionsOfAttempt = async (paymentId: string) =>
    [...stripeEmulatorObjects().sessions.values()].filter((session) => session.metadata?.payment_id === paymentId);

  describe("happy path", () => {
    it("pays in the sandbox and the signed webhook confirms the reservation with one confirmation email", async () => {
      const slot = await paidSlot(10, 4500);
      const held = await holdOk(slot.id, { quantity: 2 });
      const checkout = await checkoutOk(held);
      expect(new Date(checkout.expiresAt).getTime()).toBe(T0.getTime() + 31 * MINUTE);

      const session = await getStripe().checkout.sessions.retrieve(checkout.sessionId);
      expect(session).toMatchObject({
        amount_total: 9000,
        currency: "jpy",
        client_reference_id: held.reservation.id,
        metadata: { reservation_id: held.reservation.id, payment_id: checkout.paymentId },
      });
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "pending",
        amount: 9000,
        attempt: 1,
      });

      const paid = await payCheckoutSession(checkout.sessionId, CARD_OK);
      expect(paid.outcome).toBe("succeeded");
      await settle();

      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      expect(payment).toMatchObject({ status: "succeeded", outcome: "confirmed", late_payment: false });
      expect(payment?.payment_intent_id).toMatch(/^pi_/);
      expect((await kinds(held.reservation.id)).filter((k) => k === "confirmed")).toHaveLength(1);
      const inbox = await inboxRows(ctx.db, held.reservation.id);
      expect(inbox.map((e) => e.type).sort()).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);
      expect(inbox.every((e) => e.status === "processed")).toBe(true);
      expect(inbox.map((e) => e.outcome).sort()).toEqual(["already_paid", "confirmed"]);
      expect(await actions(held.reservation.id)).toContain("reservation.confirmed");
      expect((await view(held.reservation.id, held.token)).payment).toMatchObject({
        status: "succeeded",
        amount: 9000,
      });
      expect(await slotReserved(ctx.db, slot.id)).toBe(2);
    });

    it("never sends a free reservation to the gateway", async () => {
      const service = await newService(ctx.db, { priceAmount: 0 });
      const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 5 });
      const held = await holdOk(slot.id);
      expect(held.reservation.status).toBe("confirmed");
      // Any gateway call would fail with 503; the 409 shows the gateway was never asked.
      injectStripeFault({ path: /.*/, kind: "http_500", times: 100 });
      await expectProblem(await postCheckout(held), 409, "payment_not_required");
      expect(await paymentRows(ctx.db, held.reservation.id)).toEqual([]);
    });

    it("requires an Idempotency-Key, replays it, and resumes the open attempt instead of opening a second session", async () => {
      const held = await holdOk((await paidSlot()).id);
      await expectProblem(await postCheckout(held, null), 400, "missing_header");
      const key = crypto.randomUUID();
      const first = await expectJson<{ checkout: { sessionId: string } }>(await postCheckout(held, key), 201);
      const replay = await postCheckout(held, key);
      expect(replay.headers.get("idempotency-replayed")).toBe("true");
      expect((await expectJson<{ checkout: { sessionId: string } }>(replay, 201)).checkout.sessionId).toBe(
        first.checkout.sessionId,
      );
      const again = await expectJson<{ checkout: { sessionId: string; reused: boolean } }>(
        await postCheckout(held),
        201,
      );
      expect(again.checkout).toMatchObject({ sessionId: first.checkout.sessionId, reused: true });
      expect(await paymentRows(ctx.db, held.reservation.id)).toHaveLength(1);
    });

    it("refuses checkout once the hold has expired", async () => {
      const held = await holdOk((await paidSlot()).id);
      clock.advance(16 * MINUTE);
      await expireHolds();
      await expectProblem(await postCheckout(held), 409, "hold_expired");
    });
  });

  describe("failed payments", () => {
    it("keeps the hold after a decline, shows why, writes one payment-failed email, and a retry with a new session succeeds", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id);
      const first = await checkoutOk(held);
      const declined = await payCheckoutSession(first.sessionId, CARD_NO_FUNDS);
      expect(declined.outcome).toBe("failed");
      await settle();

      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
      expect((await view(held.reservation.id, held.token)).payment).toMatchObject({
        status: "failed",
        failureCode: "insufficient_funds",
      });
      expect(await kinds(held.reservation.id)).toEqual(["payment_failed"]);
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);

      const retry = await checkoutOk(held);
      expect(retry.sessionId).not.toBe(first.sessionId);
      expect((await getStripe().checkout.sessions.retrieve(first.sessionId)).status).toBe("expired");
      await payCheckoutSession(retry.sessionId, CARD_OK);
      await settle();

      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      const rows = await paymentRows(ctx.db, held.reservation.id);
      expect(rows.map((p) => [p.attempt, p.status, p.outcome])).toEqual([
        [1, "expired", "superseded"],
        [2, "succeeded", "confirmed"],
      ]);
      expect((await auditRows(ctx.db, rows[0]!.id)).map((a) => a.action)).toContain("payment.superseded");
      expect((await kinds(held.reservation.id)).sort()).toEqual(["confirmed", "payment_failed"]);
    });

    it("answers 503 with Retry-After when the gateway fails on session creation, leaving the hold and no payment row", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id);
      injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500", times: 10 });
      const res = await postCheckout(held);
      expect(res.headers.get("retry-after")).toBe("5");
      await expectProblem(res, 503, "dependency_unavailable");
      // The attempt is closed, not left pending: nothing can be paid through it and the next click starts afresh.
      const [closed] = await paymentRows(ctx.db, held.reservation.id);
      expect(closed).toMatchObject({
        attempt: 1,
        status: "cancelled",
        checkout_session_id: null,
        outcome: "checkout_failed",
      });
      expect((await auditRows(ctx.db, closed!.id)).map((a) => a.action)).toContain("payment.checkout_failed");
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      expect((await view(held.reservation.id, held.token)).payment).toMatchObject({
        status: "cancelled",
        checkoutUrl: null,
      });

      clearStripeFaults();
      clock.advance(5_000); // a real retry comes later: the new attempt must not reuse the failed one's key
      const retry = await checkoutOk(held);
      expect(await paymentRows(ctx.db, held.reservation.id)).toMatchObject([
        { attempt: 1, status: "cancelled" },
        { attempt: 2, status: "pending", checkout_session_id: retry.sessionId },
      ]);
    });

    it("expires the session a 500 hid (made, then answered 500 and stored under the key), found by its metadata", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id);
      // Stripe keeps that 500 for the key; the app never sees the session it made.
      injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500_after_change", times: 1 });
      await expectProblem(await postCheckout(held), 503, "dependency_unavailable");
      const [closed] = await paymentRows(ctx.db, held.reservation.id);
      expect(closed).toMatchObject({ attempt: 1, status: "cancelled", checkout_session_id: null });
      const made = await sessionsOfAttempt(closed!.id);
      expect(made).toHaveLength(1);
      expect(made[0]!.status).toBe("expired");

      const retry = await checkoutOk(held);
      expect(retry.sessionId).not.toBe(made[0]!.id);
      expect((await sessionsOfAttempt(closed!.id)).map((s) => s.status)).toEqual(["expired"]);
    });

    it("still answers 503 and leaves the session to expire on its own when the lookup fails too", async () => {
      const held = await holdOk((await paidSlot()).id);
      injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500_after_change", times: 1 });
      injectStripeFault({ method: "GET", path: "/v1/checkout/sessions", kind: "http_500", times: 10 });
      await expectProblem(await postCheckout(held), 503, "dependency_unavailable");
      const [closed] = await paymentRows(ctx.db, held.reservation.id);
      expect(closed).toMatchObject({ status: "cancelled" });
      expect((await sessionsOfAttempt(closed!.id)).map((s) => s.status)).toEqual(["open"]);
    });

    it("answers 503 when the gateway times out, and the retry with the same attempt key gets one session", async () => {
      setStripeForTests(
        new Stripe("sk_test_emulator", {
          httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch),
          timeout: 200,
          maxNetworkRetries: 0,
        }),
      );
      const held = await holdOk((await paidSlot()).id);
      injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "hang", hangMs: 2_000, times: 1 });
      await expectProblem(await postCheckout(held), 503, "dependency_unavailable");
      expect(await paymentRows(ctx.db, held.reservation.id)).toMatchObject([{ attempt: 1, status: "cancelled" }]);
      clock.advance(3_000);
      const checkout = await checkoutOk(held);
      expect(await paymentRows(ctx.db, held.reservation.id)).toMatchObject([
        { status: "cancelled" },
        { attempt: 2, checkout_session_id: checkout.sessionId },
      ]);
    });
  });

  describe("hold ending during checkout", () => {
    it("expires the new session and answers hold_expired when the hold ends while Stripe is answering", async () => {
      const slot = await paidSlot();
      const held = await holdOk(slot.id);
      clock.advance(14 * MINUTE + 50_000); // 10 s of hold left
      const slow = injectStripeFault({
        method: "POST",
        path: "/v1/checkout/sessions",
        kind: "hang",
        hangMs: 1_500,
        times: 1,
      });
      const pending = postCheckout(held);
      await expect.poll(() => slow.hits).toBe(1); // Stripe is answering: the attempt's row is written
      clock.advance(20_000);
      expect(await expireHolds()).toBe(1);
      await expectProblem(await pending, 409, "hold_expired");
      expect(await paymentRows(ctx.db, held.reservation.id)).toMatchObject([
        { status: "expired", outcome: "hold_ended" },
      ]);
      const events = await getStripe().events.list({ types: ["checkout.session.expired"] });
      expect(events.data).toHaveLength(1);
      expect(await slotReserved(ctx.db, slot.id)).toBe(0);
    });
  });

  describe("webhook inbox", () => {
    const signed = (
      payload: string,
      secret = EMULATOR_WEBHOOK_SECRET,
      timestamp = Math.floor(clock.now().getTime() / 1000),
    ) => getStripe().webhooks.generateTestHeaderString({ payload, secret, timestamp });
    const fakeEvent = (type: string) =>
      JSON.stringify({
        id: `evt_test_${crypto.randomUUID()}`,
        object: "event",
        type,
        created: Math.floor(clock.now().getTime() / 1000),
        data: { object: { id: "x", object: "thing", metadata: {} } },
        livemode: false,
        api_version: null,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
      });

    it("rejects a bad signature, a stale timestamp and a missing header with 400 and stores nothing", async () => {
      const body = fakeEvent("payment_intent.succeeded");
      const count = async () =>
        (await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from webhook_events`))[0]?.n;
      const before = await count();
      await expectProblem(
        await postWebhook(body, { "stripe-signature": signed(body, "whsec_wrong_secret") }),
        400,
        "signature_invalid",
      );
      await expectProblem(
        await postWebhook(body, {
          "stripe-signature": signed(body, EMULATOR_WEBHOOK_SECRET, Math.floor(clock.now().getTime() / 1000) - 301),
        }),
        400,
        "signature_invalid",
      );
      await expectProblem(await postWebhook(body, {}), 400, "signature_invalid");
      await expectProblem(
        await postWebhook(body.replace("payment_intent", "charge"), { "stripe-signature": signed(body) }),
        400,
        "signature_invalid",
      );
      expect(await count()).toBe(before);
    });

    it("accepts a signature 299 s old and answers 200 'ignored' for an unknown event type", async () => {
      const body = fakeEvent("customer.created");
      const res = await postWebhook(body, {
        "stripe-signature": signed(body, EMULATOR_WEBHOOK_SECRET, Math.floor(clock.now().getTime() / 1000) - 299),
      });
      expect(await expectJson<{ outcome: string }>(res)).toMatchObject({ outcome: "ignored", duplicate: false });
      const again = await postWebhook(body, { "stripe-signature": signed(body) });
      expect(await expectJson<{ outcome: string }>(again)).toMatchObject({ outcome: "duplicate", duplicate: true });
    });

    it("10 concurrent deliveries of one event make one state change and one outbox row", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      pauseWebhooks();
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      const events = await getStripe().events.list({ types: ["checkout.session.completed"] });
      const completed = events.data.find((e) => (e.data.object as Stripe.Checkout.Session).id === checkout.sessionId);
      expect(completed).toBeDefined();
      await redeliverEvent(completed!.id, { copies: 10, concurrent: true });
      await settle();

      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      expect((await kinds(held.reservation.id)).filter((k) => k === "confirmed")).toHaveLength(1);
      expect((await actions(held.reservation.id)).filter((a) => a === "reservation.confirmed")).toHaveLength(1);
      const inbox = (await inboxRows(ctx.db, held.reservation.id)).filter((e) => e.event_id === completed!.id);
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ status: "processed", outcome: "confirmed", attempts: 1 });
    });

    it("out-of-order events (success first, the earlier decline last) end confirmed and ignore the stale failure", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      pauseWebhooks();
      expect((await payCheckoutSession(checkout.sessionId, CARD_DECLINED)).outcome).toBe("failed");
      expect((await payCheckoutSession(checkout.sessionId, CARD_OK)).outcome).toBe("succeeded");
      await flushWebhooks({ order: "reverse" });
      await settle();

      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "succeeded",
        failure_code: null,
      });
      const outcomes = Object.fromEntries(
        (await inboxRows(ctx.db, held.reservation.id)).map((e) => [e.type, e.outcome]),
      );
      expect(outcomes["payment_intent.payment_failed"]).toBe("stale_failure_ignored");
      expect(await kinds(held.reservation.id)).toEqual(["confirmed"]);
    });

    it("alerts staff when money arrives for a reservation with no payment attempt on record", async () => {
      const held = await holdOk((await paidSlot()).id);
      // A session made outside the checkout flow (another tool on the same Stripe account), paid.
      const session = await getStripe().checkout.sessions.create({
        mode: "payment",
        success_url: "http://localhost/x",
        expires_at: Math.floor(clock.now().getTime() / 1000) + 40 * 60,
        metadata: { reservation_id: held.reservation.id },
        payment_intent_data: { metadata: { reservation_id: held.reservation.id } },
        line_items: [{ quantity: 1, price_data: { currency: "jpy", unit_amount: 1500, product_data: { name: "x" } } }],
      });
      await payCheckoutSession(session.id, CARD_OK);
      await settle();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
      expect((await inboxRows(ctx.db, held.reservation.id)).map((e) => e.outcome)).toEqual([
        "payment_unknown_alerted",
        "payment_unknown_alerted",
      ]);
      expect((await actions(held.reservation.id)).filter((a) => a === "staff.alert")).toHaveLength(2);
    });

    it("answers 5xx when processing fails for a transient reason and processes the redelivery", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      deliverWebhooksInProcess({ maxAttempts: 1 });
      // The handler re-reads the session and intent from the gateway; make those reads fail once each.
      injectStripeFault({
        method: "GET",
        path: /^\/v1\/(checkout\/sessions|payment_intents)\//,
        kind: "http_500",
        times: 6,
      });
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      await settle();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
      expect((await inboxRows(ctx.db, held.reservation.id)).every((e) => e.status === "failed")).toBe(true);

      clearStripeFaults();
      const events = await getStripe().events.list({ types: ["checkout.session.completed"] });
      await redeliverEvent(events.data[0]!.id);
      await settle();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
    });
  });

  describe("late payment (money arrives after the hold expired)", () => {
    /** Pays while held with webhooks paused, lets the hold expire and the job run, then delivers. */
    const payThenExpire = async (slotId: string, between?: () => Promise<void>) => {
      const held = await holdOk(slotId);
      const checkout = await checkoutOk(held);
      pauseWebhooks();
      expect((await payCheckoutSession(checkout.sessionId, CARD_OK)).outcome).toBe("succeeded");
      clock.advance(16 * MINUTE);
      const job = await runJob("expire-holds");
      expect(job.status).toBe("done");
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("expired");
      await between?.();
      await resumeWebhooks();
      await settle();
      return held;
    };

    it("reacquire_or_refund: takes the seats back when they are still free and confirms", async () => {
      const slot = await paidSlot(1);
      const held = await payThenExpire(slot.id);
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "succeeded",
        late_payment: true,
        outcome: "late_payment_reacquired",
      });
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      expect(await kinds(held.reservation.id)).toEqual(["confirmed"]);
      expect(await actions(held.reservation.id)).toEqual(
        expect.arrayContaining(["reservation.late_payment_reacquired", "staff.alert"]),
      );
      expect((await view(held.reservation.id, held.token)).payment).toMatchObject({
        latePayment: true,
        outcome: "late_payment_reacquired",
      });
    });

    it("reacquire_or_refund: refunds at once when the seats were taken, notifies the customer and alerts staff", async () => {
      const slot = await paidSlot(1);
      const held = await payThenExpire(slot.id, async () => {
        await holdOk(slot.id, { customer: { name: "Other", email: "other@example.com" } });
      });
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("expired");
      expect(await slotReserved(ctx.db, slot.id)).toBe(1);
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      expect(payment).toMatchObject({
        status: "refunded",
        late_payment: true,
        outcome: "late_payment_refunded",
        amount_refunded: 1500,
      });
      const refunds = await refundRows(ctx.db, held.reservation.id);
      expect(refunds).toMatchObject([{ amount: 1500, status: "succeeded", reason: "late_payment" }]);
      expect(refunds[0]?.provider_refund_id).toMatch(/^re_/);
      expect(await kinds(held.reservation.id)).toEqual(["late_payment_refund"]);
      expect(await actions(held.reservation.id)).toEqual(
        expect.arrayContaining(["reservation.late_payment_refunded", "staff.alert"]),
      );
      const intent = await getStripe().paymentIntents.retrieve(payment!.payment_intent_id!, {
        expand: ["latest_charge"],
      });
      expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(1500);
      // The gateway's refund events arrive and find the ledger in sync.
      const outcomes = (await inboxRows(ctx.db, held.reservation.id)).map((e) => e.outcome);
      expect(outcomes).toEqual(expect.arrayContaining(["late_payment_refunded"]));
      expect(outcomes.filter((o) => o?.startsWith("ledger_") || o?.startsWith("refund_"))).not.toHaveLength(0);
    });

    it("refund policy: refunds even when the seats are free", async () => {
      const restore = setEnv({ LATE_PAYMENT_POLICY: "refund" });
      try {
        const slot = await paidSlot(5);
        const held = await payThenExpire(slot.id);
        expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("expired");
        expect(await slotReserved(ctx.db, slot.id)).toBe(0);
        expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
          status: "refunded",
          outcome: "late_payment_refunded",
        });
      } finally {
        restore();
      }
    });

    it("manual policy: keeps the money, leaves the reservation expired and alerts staff", async () => {
      const restore = setEnv({ LATE_PAYMENT_POLICY: "manual" });
      try {
        const slot = await paidSlot(5);
        const held = await payThenExpire(slot.id);
        expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("expired");
        expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
          status: "succeeded",
          late_payment: true,
          outcome: "late_payment_manual",
        });
        expect(await refundRows(ctx.db, held.reservation.id)).toEqual([]);
        expect(await actions(held.reservation.id)).toContain("staff.alert");

        // Staff accept it: the seats are taken back with the capacity rule and the reservation is confirmed.
        const [payment] = await paymentRows(ctx.db, held.reservation.id);
        await acceptLatePayment({ paymentId: payment!.id, actor: system });
        expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
        expect(await slotReserved(ctx.db, slot.id)).toBe(1);
        expect(await kinds(held.reservation.id)).toEqual(["confirmed"]);
        await expect(acceptLatePayment({ paymentId: payment!.id, actor: system })).rejects.toMatchObject({
          code: "invalid_state",
        });
      } finally {
        restore();
      }
    });

    it("the expire-holds job expires the open checkout session of a released hold", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      clock.advance(16 * MINUTE);
      const job = await runJob("expire-holds");
      expect(job.affected).toBe(2); // one hold released, one session expired
      expect((await getStripe().checkout.sessions.retrieve(checkout.sessionId)).status).toBe("expired");
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({ status: "expired" });
    });
  });

  describe("refunds", () => {
    const paidReservation = async (price = 1500) => {
      const held = await holdOk((await paidSlot(10, price)).id);
      const checkout = await checkoutOk(held);
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      await settle();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      return { held, paymentId: checkout.paymentId };
    };

    it("partial then full refunds keep ledger and gateway equal, and refuse more than was captured", async () => {
      const { held, paymentId } = await paidReservation(1500);
      const partial = await refundPayment({ paymentId, amount: 500, reason: "goodwill", actor: system });
      expect(partial.refund).toMatchObject({ amount: 500, status: "succeeded" });
      await expect(refundPayment({ paymentId, amount: 1001, reason: "too much", actor: system })).rejects.toMatchObject(
        { code: "refund_exceeds_captured" },
      );
      const rest = await refundPayment({ paymentId, reason: "rest", actor: system });
      expect(rest.refund).toMatchObject({ amount: 1000, status: "succeeded" });
      await settle();
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      expect(payment).toMatchObject({ status: "refunded", amount_refunded: 1500 });
      const intent = await getStripe().paymentIntents.retrieve(payment!.payment_intent_id!, {
        expand: ["latest_charge"],
      });
      expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(1500);
      expect((await kinds(held.reservation.id)).filter((k) => k === "refunded")).toHaveLength(2);
      await expect(refundPayment({ paymentId, amount: 1, reason: "none left", actor: system })).rejects.toMatchObject({
        code: "refund_exceeds_captured",
      });
    });

    it("concurrent partial refunds never exceed what was captured", async () => {
      const { held, paymentId } = await paidReservation(1000);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => refundPayment({ paymentId, amount: 300, reason: `r${i}`, actor: system })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      expect(ok).toHaveLength(3);
      for (const r of results.filter((x) => x.status === "rejected"))
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "refund_exceeds_captured" });
      await settle();
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      expect(payment).toMatchObject({ amount_refunded: 900, status: "partially_refunded" });
      const ledger = await refundRows(ctx.db, held.reservation.id);
      expect(ledger.reduce((s, r) => s + r.amount, 0)).toBe(900);
      const intent = await getStripe().paymentIntents.retrieve(payment!.payment_intent_id!, {
        expand: ["latest_charge"],
      });
      expect((intent.latest_charge as Stripe.Charge).amount_refunded).toBe(900);
    });

    // Stripe keeps a key's first answer, a 500 included, and replays it to every retry with that key
    // (docs.stripe.com/api/idempotent_requests; the emulator follows it, src/server/emulators/stripe/idempotency.test.ts).
    it("a refund whose first attempt got a saved 500 stays pending; reconcile finds no refund by its metadata and retries under a new key", async () => {
      const { held, paymentId } = await paidReservation(1500);
      injectStripeFault({ method: "POST", path: "/v1/refunds", kind: "http_500", times: 3 });
      const first = await refundPayment({ paymentId, amount: 700, reason: "gateway down", actor: system });
      expect(first.refund).toMatchObject({ status: "pending", providerRefundId: null });
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({ amount_refunded: 700 });
      clearStripeFaults();
      // The first key is spent: asked again with the same parameters, the gateway replays the 500.
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      const replayed = await getStripe()
        .refunds.create(
          {
            payment_intent: payment!.payment_intent_id!,
            amount: 700,
            reason: "requested_by_customer",
            metadata: { refund_id: first.refund.id, reservation_id: held.reservation.id },
          },
          { idempotencyKey: first.refund.idempotencyKey },
        )
        .catch((e: unknown) => e);
      expect(replayed).toMatchObject({ statusCode: 500 });

      clock.advance(2 * MINUTE);
      const job = await runJob("reconcile-payments");
      expect(job.report?.refundsSubmitted).toBe(1);
      await settle();
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([{ amount: 700, status: "succeeded" }]);
      expect((await getStripe().refunds.list({ payment_intent: payment!.payment_intent_id! })).data).toHaveLength(1);
    });

    it("a refund Stripe made before answering 500 is found again by its metadata, not made twice", async () => {
      const { held, paymentId } = await paidReservation(1500);
      pauseWebhooks(); // so reconcile, not the charge.refunded webhook, is the one that finds it
      injectStripeFault({ method: "POST", path: "/v1/refunds", kind: "http_500_after_change", times: 1 });
      const first = await refundPayment({ paymentId, amount: 700, reason: "answer lost", actor: system });
      expect(first.refund).toMatchObject({ status: "pending", providerRefundId: null });
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      const atStripe = (await getStripe().refunds.list({ payment_intent: payment!.payment_intent_id! })).data;
      expect(atStripe.map((r) => r.metadata?.refund_id)).toEqual([first.refund.id]);

      clock.advance(2 * MINUTE);
      // What reconcile's refund step does for a pending row without a Stripe id.
      const again = await submitRefund(first.refund.id);
      expect(again).toMatchObject({
        submitted: true,
        refund: { status: "succeeded", providerRefundId: atStripe[0]!.id },
      });
      await resumeWebhooks();
      await settle();
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([
        { amount: 700, status: "succeeded", provider_refund_id: atStripe[0]!.id },
      ]);
      expect((await getStripe().refunds.list({ payment_intent: payment!.payment_intent_id! })).data).toHaveLength(1);
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({ amount_refunded: 700 });
    });

    it("a pending ledger row is not marked succeeded by another refund's charge.refunded", async () => {
      const { held, paymentId } = await paidReservation(3000);
      injectStripeFault({ method: "POST", path: "/v1/refunds", kind: "http_500", times: 3 });
      const a = await refundPayment({ paymentId, amount: 1000, reason: "a", actor: system });
      expect(a.refund.status).toBe("pending");
      clearStripeFaults();
      const b = await refundPayment({ paymentId, amount: 1000, reason: "b", actor: system });
      expect(b.refund.status).toBe("succeeded");
      await settle();
      const byReason = Object.fromEntries(
        (await refundRows(ctx.db, held.reservation.id)).map((r) => [r.reason, r.status]),
      );
      expect(byReason).toEqual({ a: "pending", b: "succeeded" });
      expect((await kinds(held.reservation.id)).filter((k) => k === "refunded")).toHaveLength(1);

      clock.advance(2 * MINUTE);
      expect((await runJob("reconcile-payments")).report?.refundsSubmitted).toBe(1);
      await settle();
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([
        { status: "succeeded" },
        { status: "succeeded" },
      ]);
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      const intent = await getStripe().paymentIntents.retrieve(payment!.payment_intent_id!, {
        expand: ["latest_charge"],
      });
      expect([payment?.amount_refunded, (intent.latest_charge as Stripe.Charge).amount_refunded]).toEqual([2000, 2000]);
    });

    it("a refund Stripe keeps pending stays pending, and when it fails the amount is released and staff alerted", async () => {
      const { held, paymentId } = await paidReservation(1500);
      holdNextRefunds(1);
      const pending = await refundPayment({ paymentId, amount: 500, reason: "slow bank", actor: system });
      expect(pending.refund).toMatchObject({ status: "pending", providerRefundId: expect.stringMatching(/^re_/) });
      await settle(); // charge.refunded arrives, counting the pending refund
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([{ status: "pending" }]);
      expect(await kinds(held.reservation.id)).not.toContain("refunded");

      settlePendingRefund(pending.refund.providerRefundId!, "failed");
      await settle();
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([{ status: "failed" }]);
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "succeeded",
        amount_refunded: 0,
      });
      expect(await actions(held.reservation.id)).toContain("staff.alert");
      // The amount is refundable again.
      expect((await refundPayment({ paymentId, amount: 1500, reason: "again", actor: system })).refund.status).toBe(
        "succeeded",
      );
    });

    it("records a refund made in the Stripe dashboard as an external ledger row", async () => {
      const { held } = await paidReservation(1500);
      const [payment] = await paymentRows(ctx.db, held.reservation.id);
      const external = await getStripe().refunds.create({ payment_intent: payment!.payment_intent_id!, amount: 400 });
      await settle();
      expect(await refundRows(ctx.db, held.reservation.id)).toMatchObject([
        { amount: 400, status: "succeeded", reason: "refunded_at_gateway", provider_refund_id: external.id },
      ]);
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "partially_refunded",
        amount_refunded: 400,
      });
    });

    it("customer cancellation of a paid reservation refunds it in full, with cancel and refund emails", async () => {
      const { held } = await paidReservation(1500);
      const slotId = held.reservation.slotId;
      const result = await cancelReservation({
        reservationId: held.reservation.id,
        by: "customer",
        actor: { kind: "guest" },
      });
      expect(result.refund).toMatchObject({ amount: 1500, status: "succeeded" });
      await settle();
      expect((await paymentRows(ctx.db, held.reservation.id))[0]).toMatchObject({
        status: "refunded",
        amount_refunded: 1500,
      });
      expect((await kinds(held.reservation.id)).sort()).toEqual(["cancelled", "confirmed", "refunded"]);
      expect(await slotReserved(ctx.db, slotId)).toBe(0);
    });

    it("staff cancellation can refund part, or nothing", async () => {
      const a = await paidReservation(1500);
      const partial = await cancelReservation({
        reservationId: a.held.reservation.id,
        by: "staff",
        actor: system,
        refund: { amount: 600 },
      });
      expect(partial.refund).toMatchObject({ amount: 600 });
      const b = await paidReservation(1500);
      const none = await cancelReservation({
        reservationId: b.held.reservation.id,
        by: "staff",
        actor: system,
        refund: "none",
      });
      expect(none.refund).toBeNull();
      await settle();
      expect((await paymentRows(ctx.db, b.held.reservation.id))[0]).toMatchObject({
        status: "succeeded",
        amount_refunded: 0,
      });
    });

    it("cancelling a held reservation expires its checkout session", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      await cancelReservation({ reservationId: held.reservation.id, by: "customer", actor: { kind: "guest" } });
      expect((await getStripe().checkout.sessions.retrieve(checkout.sessionId)).status).toBe("expired");
    });
  });

  describe("reconcile-payments", () => {
    it("ingests events that were never delivered and confirms the reservation", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      deliverWebhooksInProcess({ maxAttempts: 1 });
      injectStripeFault({
        method: "GET",
        path: /^\/v1\/(checkout\/sessions|payment_intents)\//,
        kind: "http_500",
        times: 6,
      });
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      await settle();
      clearStripeFaults();
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");

      clock.advance(2 * MINUTE);
      const job = await runJob("reconcile-payments");
      expect(job.status).toBe("done");
      expect(job.report?.inboxProcessed).toBeGreaterThanOrEqual(1);
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
    });

    it("settles a session whose events were lost entirely, after PAYMENT_RECONCILE_AFTER_MINUTES", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      pauseWebhooks(); // never flushed: the deliveries are lost
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      await ctx.db.execute(sql`delete from webhook_events`);
      clock.advance(11 * MINUTE);
      const job = await runJob("reconcile-payments");
      expect((job.report?.eventsIngested ?? 0) + (job.report?.sessionsSettled ?? 0)).toBeGreaterThanOrEqual(1);
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
      expect((await kinds(held.reservation.id)).filter((k) => k === "confirmed")).toHaveLength(1);
    });

    it("leaves events younger than 5 minutes to their delivery, and ingests them once older", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      pauseWebhooks();
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      clock.advance(4 * MINUTE);
      expect((await runJob("reconcile-payments")).report?.eventsIngested).toBe(0);
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
      clock.advance(2 * MINUTE);
      expect((await runJob("reconcile-payments")).report?.eventsIngested).toBe(2);
      expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
    });

    it("reports drift between the ledger and the gateway", async () => {
      const held = await holdOk((await paidSlot()).id);
      const checkout = await checkoutOk(held);
      await payCheckoutSession(checkout.sessionId, CARD_OK);
      await settle();
      // A refund recorded as succeeded that the gateway never made.
      await ctx.db.execute(
        sql`insert into refunds (payment_id, reservation_id, amount, currency, status, reason, idempotency_key)
            values (${checkout.paymentId}, ${held.reservation.id}, 100, 'JPY', 'succeeded', 'tampered', ${`drift-${crypto.randomUUID()}`})`,
      );
      const job = await runJob("reconcile-payments");
      expect(job.report?.drift).toEqual(
        expect.arrayContaining([{ paymentId: checkout.paymentId, field: "amount_refunded", ledger: 100, gateway: 0 }]),
      );
    });

    it("two concurrent runs: one runs, the other is skipped", async () => {
      const [a, b] = await Promise.all([runJob("reconcile-payments"), runJob("reconcile-payments")]);
      expect([a.status, b.status].sort()).toEqual(["done", "skipped"]);
    });
  });

  it("keeps the seat count right through pay, expire and cancel (capacity never leaks)", async () => {
    const slot = await paidSlot(3);
    const a = await holdOk(slot.id);
    const b = await holdOk(slot.id);
    const ca = await checkoutOk(a);
    await payCheckoutSession(ca.sessionId, CARD_OK);
    await settle();
    clock.advance(16 * MINUTE);
    await runJob("expire-holds");
    expect(await reservationStatus(ctx.db, b.reservation.id)).toBe("expired");
    await cancelReservation({ reservationId: a.reservation.id, by: "staff", actor: system });
    await settle();
    const [row] = await ctx.db.select().from(slots).where(eq(slots.id, slot.id));
    expect(row?.reserved).toBe(0);
    const [r] = await ctx.db.select().from(reservations).where(eq(reservations.id, a.reservation.id));
    expect(r?.status).toBe("cancelled");
  });
});
