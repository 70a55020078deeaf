import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { parseStripeForm } from "./form";
import { resetStripeEmulator } from "./emulator";

/** The emulator through the official SDK, exactly as the gateway will call it. */
const NOW = new Date("2030-01-07T00:00:00Z");
const nowSeconds = NOW.getTime() / 1000;

function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    success_url: "http://localhost:3000/reservations/BK-TEST/paid",
    cancel_url: "http://localhost:3000/reservations/BK-TEST/pay",
    client_reference_id: "00000000-0000-4000-8000-000000000001",
    metadata: { reservation_id: "00000000-0000-4000-8000-000000000001" },
    expires_at: nowSeconds + 31 * 60,
    line_items: [
      { quantity: 2, price_data: { currency: "jpy", unit_amount: 4500, product_data: { name: "茶道体験" } } },
    ],
    ...overrides,
  };
}

describe("Stripe emulator through the stripe SDK", () => {
  let stripe: Stripe;
  beforeEach(() => {
    resetStripeEmulator();
    clock.set(NOW, { freeze: true });
    stripe = createStripe();
  });
  afterEach(() => {
    clock.reset();
  });

  it("creates, retrieves and expires a Checkout Session with Stripe's fields", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    expect(created).toMatchObject({
      object: "checkout.session",
      amount_total: 9000,
      currency: "jpy",
      status: "open",
      payment_status: "unpaid",
      mode: "payment",
      expires_at: nowSeconds + 31 * 60,
      metadata: { reservation_id: "00000000-0000-4000-8000-000000000001" },
      client_reference_id: "00000000-0000-4000-8000-000000000001",
      livemode: false,
    });
    expect(created.id).toMatch(/^cs_test_/);
    expect(created.url).toMatch(new RegExp(`/dev/checkout/${created.id}$`));

    const retrieved = await stripe.checkout.sessions.retrieve(created.id);
    expect(retrieved).toEqual(created);

    const expired = await stripe.checkout.sessions.expire(created.id);
    expect(expired.status).toBe("expired");
    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it("replays an Idempotency-Key with the same parameters and refuses it with different ones", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "attempt-1" });
    const again = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "attempt-1" });
    expect(again.id).toBe(first.id);
    const other = stripe.checkout.sessions.create(sessionParams({ client_reference_id: "other" }), { idempotencyKey: "attempt-1" });
    await expect(other).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    const fresh = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "attempt-2" });
    expect(fresh.id).not.toBe(first.id);
  });

  it("answers Stripe-shaped errors: expiry under 30 minutes, unknown session, missing line items", async () => {
    const tooSoon = await stripe.checkout.sessions
      .create(sessionParams({ expires_at: nowSeconds + 29 * 60 }))
      .catch((e: unknown) => e);
    expect(tooSoon).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((tooSoon as Stripe.errors.StripeError).param).toBe("expires_at");

    const unknown = await stripe.checkout.sessions.retrieve("cs_test_nope").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((unknown as Stripe.errors.StripeError).code).toBe("resource_missing");
    expect((unknown as Stripe.errors.StripeError).statusCode).toBe(404);

    const noItems = await stripe.checkout.sessions.create(sessionParams({ line_items: [] })).catch((e: unknown) => e);
    expect((noItems as Stripe.errors.StripeError).code).toBe("parameter_missing");
  });
});

describe("parseStripeForm", () => {
  it("reads bracketed keys into nested objects and arrays", () => {
    const body = new URLSearchParams({
      mode: "payment",
      "metadata[reservation_id]": "r1",
      "line_items[0][quantity]": "2",
      "line_items[0][price_data][currency]": "jpy",
      "line_items[1][quantity]": "1",
    }).toString();
    expect(parseStripeForm(body)).toEqual({
      mode: "payment",
      metadata: { reservation_id: "r1" },
      line_items: [{ quantity: "2", price_data: { currency: "jpy" } }, { quantity: "1" }],
    });
  });
});
