import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import {
  configureStripeWebhooks,
  EmulatorError,
  getCheckoutSessionView,
  payCheckoutSession,
  resetStripeEmulator,
  stripeEmulatorEvents,
} from "./emulator";
import { PAYMENT_ID, recordingTransport, RESERVATION_ID, sessionParams, TEST_NOW, TEST_NOW_S } from "./test-fixtures";

/** The sandbox checkout page's payment step, observed through the SDK and the event log as the gateway sees it. */
describe("payCheckoutSession (sandbox hosted checkout)", () => {
  let stripe: Stripe;
  let session: Stripe.Checkout.Session;

  beforeEach(async () => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
    session = await stripe.checkout.sessions.create(sessionParams());
  });
  afterEach(() => {
    clock.reset();
  });

  it("4242 4242 4242 4242 pays: PaymentIntent succeeded with a charge, session complete, two events in order", async () => {
    const result = payCheckoutSession(session.id, "4242 4242 4242 4242");
    expect(result).toEqual({
      outcome: "succeeded",
      sessionId: session.id,
      paymentIntentId: expect.stringMatching(/^pi_/),
      successUrl: `http://localhost:3000/reservations/BK-TEST/paid?session_id=${session.id}`,
    });

    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(paid).toMatchObject({
      status: "complete",
      payment_status: "paid",
      url: null,
      customer_details: { email: "hanako@example.com" },
    });
    const pi = paid.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({
      id: result.paymentIntentId,
      object: "payment_intent",
      status: "succeeded",
      amount: 9000,
      amount_received: 9000,
      currency: "jpy",
      metadata: { reservation_id: RESERVATION_ID, payment_id: PAYMENT_ID },
      last_payment_error: null,
    });
    expect(pi.payment_method).toMatch(/^pm_/);

    const withCharge = await stripe.paymentIntents.retrieve(pi.id, { expand: ["latest_charge"] });
    const charge = withCharge.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: "charge",
      amount: 9000,
      amount_captured: 9000,
      amount_refunded: 0,
      refunded: false,
      captured: true,
      paid: true,
      status: "succeeded",
      payment_intent: pi.id,
      payment_method: pi.payment_method,
      payment_method_details: { type: "card", card: { last4: "4242", brand: "visa" } },
    });

    const events = stripeEmulatorEvents();
    expect(events.map((e) => e.type)).toEqual(["payment_intent.succeeded", "checkout.session.completed"]);
    expect(events[0]?.data.object).toMatchObject({ id: pi.id, status: "succeeded", latest_charge: charge.id });
    expect(events[1]?.data.object).toMatchObject({
      id: session.id,
      status: "complete",
      payment_status: "paid",
      payment_intent: pi.id,
    });
    // The customer's own action: no API request behind these events.
    expect(events[1]?.request).toEqual({ id: null, idempotency_key: null });
  });

  it.each([
    ["4000000000000002", "card_declined", "generic_decline", "Your card was declined."],
    ["4000 0000 0000 9995", "card_declined", "insufficient_funds", "Your card has insufficient funds."],
    ["4000000000000069", "expired_card", "expired_card", "Your card has expired."],
  ])("%s is declined (%s / %s); the session stays open for another card", async (card, code, declineCode, message) => {
    const result = payCheckoutSession(session.id, card);
    expect(result).toEqual({
      outcome: "failed",
      sessionId: session.id,
      paymentIntentId: expect.stringMatching(/^pi_/),
      error: { code, declineCode, message },
    });

    const open = await stripe.checkout.sessions.retrieve(session.id);
    expect(open).toMatchObject({ status: "open", payment_status: "unpaid", payment_intent: result.paymentIntentId });
    const pi = await stripe.paymentIntents.retrieve(result.paymentIntentId as string, { expand: ["latest_charge"] });
    expect(pi).toMatchObject({
      status: "requires_payment_method",
      amount_received: 0,
      payment_method: null,
      last_payment_error: { type: "card_error", code, decline_code: declineCode, message },
    });
    expect(pi.latest_charge).toMatchObject({
      status: "failed",
      paid: false,
      captured: false,
      failure_code: code,
      amount_captured: 0,
    });
    expect(pi.last_payment_error?.charge).toBe((pi.latest_charge as Stripe.Charge).id);

    const events = stripeEmulatorEvents();
    expect(events.map((e) => e.type)).toEqual(["payment_intent.payment_failed"]);
    expect(events[0]?.data.object).toMatchObject({ id: pi.id, last_payment_error: { code } });
  });

  it("a decline then a good card: one PaymentIntent throughout, then completion", () => {
    const declined = payCheckoutSession(session.id, "4000000000000002");
    const paid = payCheckoutSession(session.id, "4242424242424242");
    expect(paid.outcome).toBe("succeeded");
    expect(paid.paymentIntentId).toBe(declined.paymentIntentId);
    expect(stripeEmulatorEvents().map((e) => e.type)).toEqual([
      "payment_intent.payment_failed",
      "payment_intent.succeeded",
      "checkout.session.completed",
    ]);
    expect(getCheckoutSessionView(session.id)).toMatchObject({ status: "complete", lastPaymentError: null });
  });

  it("any other number is an incorrect number: nothing is created and no event is sent", async () => {
    const result = payCheckoutSession(session.id, "4242 4242 4242 4241");
    expect(result).toEqual({
      outcome: "failed",
      sessionId: session.id,
      paymentIntentId: null,
      error: { code: "incorrect_number", declineCode: null, message: "Your card number is incorrect." },
    });
    expect(stripeEmulatorEvents()).toEqual([]);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_intent).toBeNull();
  });

  it("refuses an unknown, a completed and an expired session with typed errors", () => {
    expect(() => payCheckoutSession("cs_test_nope", "4242424242424242")).toThrow(
      expect.objectContaining({ kind: "not_found" }) as Error,
    );
    payCheckoutSession(session.id, "4242424242424242");
    const again = catchError(() => payCheckoutSession(session.id, "4242424242424242"));
    expect(again).toBeInstanceOf(EmulatorError);
    expect(again).toMatchObject({ kind: "not_open" });
  });

  it("past expires_at: marks the session expired, emits checkout.session.expired and reports expired", async () => {
    const declined = payCheckoutSession(session.id, "4000000000000002");
    clock.set(new Date((TEST_NOW_S + 31 * 60) * 1000), { freeze: true });

    expect(catchError(() => payCheckoutSession(session.id, "4242424242424242"))).toMatchObject({ kind: "expired" });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    // The PaymentIntent a declined attempt left behind is canceled with the session.
    const pi = await stripe.paymentIntents.retrieve(declined.paymentIntentId as string);
    expect(pi).toMatchObject({
      status: "canceled",
      cancellation_reason: "abandoned",
      canceled_at: TEST_NOW_S + 31 * 60,
    });
    expect(stripeEmulatorEvents().map((e) => e.type)).toEqual([
      "payment_intent.payment_failed",
      "payment_intent.canceled",
      "checkout.session.expired",
    ]);
    expect(catchError(() => payCheckoutSession(session.id, "4242424242424242"))).toMatchObject({ kind: "expired" });
  });

  it("describes the session for the sandbox page", () => {
    payCheckoutSession(session.id, "4000000000009995");
    expect(getCheckoutSessionView(session.id)).toEqual({
      id: session.id,
      status: "open",
      amountTotal: 9000,
      currency: "jpy",
      customerEmail: "hanako@example.com",
      expiresAt: new Date((TEST_NOW_S + 31 * 60) * 1000).toISOString(),
      successUrl: `http://localhost:3000/reservations/BK-TEST/paid?session_id=${session.id}`,
      cancelUrl: "http://localhost:3000/reservations/BK-TEST/pay",
      lineItems: [{ name: "茶道体験", quantity: 2, unitAmount: 4500, currency: "jpy" }],
      lastPaymentError: {
        code: "card_declined",
        declineCode: "insufficient_funds",
        message: "Your card has insufficient funds.",
      },
    });
    expect(getCheckoutSessionView("cs_test_nope")).toBeNull();
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
