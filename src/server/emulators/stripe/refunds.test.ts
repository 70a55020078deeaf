import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { configureStripeWebhooks, payCheckoutSession, resetStripeEmulator, stripeEmulatorEvents } from "./emulator";
import { recordingTransport, RESERVATION_ID, sessionParams, TEST_NOW, TEST_NOW_S } from "./test-fixtures";

/** POST /v1/refunds as the gateway sends it (payment_intent, amount, reason, metadata, Idempotency-Key). */
describe("refunds through the stripe SDK", () => {
  let stripe: Stripe;
  let paymentIntentId: string;

  beforeEach(async () => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const paid = payCheckoutSession(session.id, "4242424242424242");
    paymentIntentId = paid.paymentIntentId as string;
  });
  afterEach(() => {
    clock.reset();
  });

  function refund(params: Partial<Stripe.RefundCreateParams> = {}, idempotencyKey?: string) {
    return stripe.refunds.create(
      {
        payment_intent: paymentIntentId,
        reason: "requested_by_customer",
        metadata: { refund_id: "rf-1", reservation_id: RESERVATION_ID },
        ...params,
      },
      idempotencyKey ? { idempotencyKey } : {},
    );
  }

  function eventsAfterPayment(): Stripe.Event[] {
    return stripeEmulatorEvents().slice(2);
  }

  it("refunds part, then the rest by default; the charge and the events follow", async () => {
    const partial = await refund({ amount: 3000 });
    expect(partial).toMatchObject({
      object: "refund",
      amount: 3000,
      currency: "jpy",
      payment_intent: paymentIntentId,
      reason: "requested_by_customer",
      status: "succeeded",
      metadata: { refund_id: "rf-1", reservation_id: RESERVATION_ID },
      created: TEST_NOW_S,
    });
    expect(partial.id).toMatch(/^re_/);
    expect(partial.charge).toMatch(/^ch_/);
    expect(await stripe.refunds.retrieve(partial.id)).toEqual(partial);

    let charge = await stripe.charges.retrieve(partial.charge as string);
    expect(charge).toMatchObject({ amount: 9000, amount_refunded: 3000, refunded: false });

    expect(eventsAfterPayment().map((e) => e.type)).toEqual(["charge.refunded", "refund.created", "refund.updated"]);
    const [chargeRefunded, , refundUpdated] = eventsAfterPayment();
    expect(chargeRefunded?.data).toMatchObject({
      object: { id: charge.id, amount_refunded: 3000, refunded: false },
      previous_attributes: { amount_refunded: 0 },
    });
    expect(refundUpdated?.data.object).toMatchObject({
      id: partial.id,
      status: "succeeded",
      metadata: { refund_id: "rf-1" },
    });
    expect(refundUpdated?.data.previous_attributes).toHaveProperty("destination_details");

    const rest = await refund({ metadata: { refund_id: "rf-2" } });
    expect(rest.amount).toBe(6000);
    charge = await stripe.charges.retrieve(charge.id);
    expect(charge).toMatchObject({ amount_refunded: 9000, refunded: true });
    expect(eventsAfterPayment()[3]?.data).toMatchObject({
      object: { amount_refunded: 9000, refunded: true },
      previous_attributes: { amount_refunded: 3000, refunded: false },
    });
  });

  it("refuses more than what is left with Stripe's message, and a fully refunded charge with charge_already_refunded", async () => {
    await refund({ amount: 5000 });
    const tooMuch = await refund({ amount: 5000 }).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({
      statusCode: 400,
      param: "amount",
      message: "Refund amount (¥5,000) is greater than unrefunded amount on charge (¥4,000)",
    });

    await refund();
    const again = await refund().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ code: "charge_already_refunded" });
    // Two refunds, three events each; the refused requests changed nothing.
    expect(eventsAfterPayment()).toHaveLength(6);
  });

  it("replays an Idempotency-Key (same refund, no second set of events) and refuses it with other parameters", async () => {
    const first = await refund({ amount: 1000 }, "refund-rf-1");
    const replay = await refund({ amount: 1000 }, "refund-rf-1");
    expect(replay.id).toBe(first.id);
    expect((await stripe.charges.retrieve(first.charge as string)).amount_refunded).toBe(1000);
    expect(eventsAfterPayment()).toHaveLength(3);

    const mismatch = await refund({ amount: 2000 }, "refund-rf-1").catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("answers Stripe-shaped errors for an unpaid intent, an unknown intent, a bad reason and an unknown refund", async () => {
    const other = await stripe.checkout.sessions.create(sessionParams());
    const declined = payCheckoutSession(other.id, "4000000000000002");
    const unpaid = await refund({ payment_intent: declined.paymentIntentId as string }).catch((e: unknown) => e);
    expect(unpaid).toMatchObject({
      type: "StripeInvalidRequestError",
      message: `This PaymentIntent (${declined.paymentIntentId}) does not have a successful charge to refund.`,
    });

    const unknown = await refund({ payment_intent: "pi_nope" }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "resource_missing", param: "payment_intent", statusCode: 400 });

    const reason = await refund({ reason: "changed_mind" as Stripe.RefundCreateParams.Reason }).catch(
      (e: unknown) => e,
    );
    expect(reason).toMatchObject({ type: "StripeInvalidRequestError", param: "reason" });

    const missing = await stripe.refunds.retrieve("re_nope").catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "resource_missing", statusCode: 404 });
  });
});
