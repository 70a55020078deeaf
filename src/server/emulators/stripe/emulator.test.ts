import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { parseStripeForm } from "./form";
import { configureStripeWebhooks, resetStripeEmulator, stripeEmulatorEvents } from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW as NOW, TEST_NOW_S as nowSeconds } from "./test-fixtures";

/** The emulator through the official SDK, exactly as the gateway will call it. */
describe("Stripe emulator through the stripe SDK", () => {
  let stripe: Stripe;
  beforeEach(() => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
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

    expect(created.payment_intent).toBeNull();
    expect(created.customer_email).toBe("hanako@example.com");
    expect(created.locale).toBe("ja");

    const expired = await stripe.checkout.sessions.expire(created.id, {}, { idempotencyKey: "expire-1" });
    expect(expired.status).toBe("expired");
    // Stripe clears the URL once the session can no longer be paid.
    expect(expired.url).toBeNull();
    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidRequestError,
    );

    const events = stripeEmulatorEvents();
    expect(events.map((e) => e.type)).toEqual(["checkout.session.expired"]);
    expect(events[0]).toMatchObject({
      object: "event",
      api_version: Stripe.API_VERSION,
      created: nowSeconds,
      livemode: false,
      request: { idempotency_key: "expire-1" },
      data: { object: { id: created.id, status: "expired" } },
    });
    expect(events[0]?.request?.id).toBe(expired.lastResponse.requestId);
  });

  it("expires an open session on its own once expires_at passes on the app clock", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    clock.advance(31 * 60 * 1000 - 1000);
    expect((await stripe.checkout.sessions.retrieve(created.id)).status).toBe("open");
    expect(stripeEmulatorEvents()).toHaveLength(0);

    clock.advance(1000);
    const later = await stripe.checkout.sessions.retrieve(created.id);
    expect(later.status).toBe("expired");
    await stripe.checkout.sessions.retrieve(created.id);
    const events = stripeEmulatorEvents();
    expect(events.map((e) => e.type)).toEqual(["checkout.session.expired"]);
    expect(events[0]?.request).toEqual({ id: null, idempotency_key: null });
  });

  it("lists sessions newest first, filtered by status and created, paged by starting_after", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams());
    clock.advance(2_000);
    const second = await stripe.checkout.sessions.create(sessionParams());
    clock.advance(2_000);
    const third = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(second.id);

    const open = await stripe.checkout.sessions.list({ status: "open" });
    expect(open.data.map((s) => s.id)).toEqual([third.id, first.id]);
    const recent = await stripe.checkout.sessions.list({ created: { gte: nowSeconds + 2 } });
    expect(recent.data.map((s) => s.id)).toEqual([third.id, second.id]);

    const page = await stripe.checkout.sessions.list({ limit: 2 });
    expect(page).toMatchObject({ object: "list", has_more: true, url: "/v1/checkout/sessions" });
    const all: string[] = [];
    for await (const session of stripe.checkout.sessions.list({ limit: 1 })) all.push(session.id);
    expect(all).toEqual([third.id, second.id, first.id]);

    await expect(stripe.checkout.sessions.list({ status: "paid" as "open" })).rejects.toMatchObject({
      statusCode: 400,
      param: "status",
    });
    await expect(stripe.checkout.sessions.list({ starting_after: "cs_test_nope" })).rejects.toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "starting_after",
    });
  });

  it("replays an Idempotency-Key with the same parameters and refuses it with different ones", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "attempt-1" });
    const again = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "attempt-1" });
    expect(again.id).toBe(first.id);
    const other = stripe.checkout.sessions.create(sessionParams({ client_reference_id: "other" }), {
      idempotencyKey: "attempt-1",
    });
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

    const noName = await stripe.checkout.sessions
      .create(
        sessionParams({
          line_items: [{ quantity: 1, price_data: { currency: "jpy", unit_amount: 100, product: "prod_x" } }],
        }),
      )
      .catch((e: unknown) => e);
    expect(noName).toMatchObject({ code: "parameter_missing", param: "line_items[0][price_data][product_data]" });

    const badUrl = await stripe.checkout.sessions
      .create(sessionParams({ success_url: "not a url" }))
      .catch((e: unknown) => e);
    expect(badUrl).toMatchObject({ type: "StripeInvalidRequestError", param: "success_url" });
  });

  it("does not remember a key whose request failed validation, so it can be retried as Stripe allows", async () => {
    const refused = await stripe.checkout.sessions
      .create(sessionParams({ expires_at: nowSeconds + 60 }), { idempotencyKey: "k" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const accepted = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "k" });
    expect(accepted.status).toBe("open");
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
