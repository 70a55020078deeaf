import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { configureStripeWebhooks, injectStripeFault, resetStripeEmulator, stripeEmulatorFetch } from "./emulator";
import { objects } from "./state";
import { recordingTransport, sessionParams, TEST_NOW } from "./test-fixtures";

/**
 * Stripe's documented idempotency rule for API v1, which the emulator must follow (docs.stripe.com/api/idempotent_requests
 * and docs.stripe.com/error-low-level#idempotency, read for API version 2026-10-28):
 *  (a) the status code and body of the first request made with a key are saved once the endpoint has started
 *      executing, and retries with the same key get them back, "including 500 errors";
 *  (b) nothing is saved when the request is refused before execution: parameters that fail validation, or a request
 *      that conflicts with one running concurrently with the same key; such a request may be retried;
 *  (c) the idempotency layer compares the parameters with the original request's and errors if they differ.
 * Reverting the emulator to "store only answers below 400" or "answer injected faults before the look-up" fails (a).
 */
describe("Stripe emulator: idempotency as Stripe documents it", () => {
  /** No SDK retries, so each answer is observed as sent. */
  const stripe = () =>
    new Stripe("sk_test_x", {
      httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch),
      maxNetworkRetries: 0,
      timeout: 1_000,
    });

  beforeEach(() => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
    clock.set(TEST_NOW, { freeze: true });
  });
  afterEach(() => {
    resetStripeEmulator();
    clock.reset();
  });

  it("(a) a 500 from an endpoint that started is saved and replayed, not re-executed, under the same key", async () => {
    injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500", times: 1 });
    const first = await stripe()
      .checkout.sessions.create(sessionParams(), { idempotencyKey: "k-500" })
      .catch((e: unknown) => e);
    expect(first).toMatchObject({ statusCode: 500, type: "StripeAPIError" });
    const retry = await stripe()
      .checkout.sessions.create(sessionParams(), { idempotencyKey: "k-500" })
      .catch((e: unknown) => e);
    expect(retry).toMatchObject({ statusCode: 500, type: "StripeAPIError" });
    expect((retry as Stripe.errors.StripeError).headers?.["idempotent-replayed"]).toBe("true");
    expect((retry as Stripe.errors.StripeError).headers?.["stripe-should-retry"]).toBe("false");
    expect(objects().sessions.size).toBe(0);
    // A new key executes.
    expect((await stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-new" })).status).toBe("open");
  });

  it("(a) a 500 after the endpoint did its work is replayed too; the object exists once", async () => {
    injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500_after_change", times: 1 });
    await expect(
      stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-after" }),
    ).rejects.toMatchObject({ statusCode: 500 });
    await expect(
      stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-after" }),
    ).rejects.toMatchObject({ statusCode: 500 });
    expect(objects().sessions.size).toBe(1);
  });

  it("(a) other errors from a running endpoint are saved: a refund of a missing PaymentIntent answers the same", async () => {
    const params = { payment_intent: "pi_missing", amount: 100 };
    const first = await stripe()
      .refunds.create(params, { idempotencyKey: "k-404" })
      .catch((e: unknown) => e);
    const again = (await stripe()
      .refunds.create(params, { idempotencyKey: "k-404" })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(first).toMatchObject({ code: "resource_missing" });
    expect(again).toMatchObject({ code: "resource_missing" });
    expect(again.headers?.["idempotent-replayed"]).toBe("true");
  });

  it("(b) a request that fails validation saves nothing: the same key then runs a corrected request", async () => {
    const invalid = await stripe()
      .checkout.sessions.create(sessionParams({ line_items: [] }), { idempotencyKey: "k-val" })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ statusCode: 400, type: "StripeInvalidRequestError" });
    expect((await stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-val" })).status).toBe("open");
  });

  it("(b) a request while another with the same key is running is refused with 409 and saves nothing", async () => {
    const slow = injectStripeFault({
      method: "POST",
      path: "/v1/checkout/sessions",
      kind: "hang",
      hangMs: 100,
      times: 1,
    });
    const running = stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-busy" });
    await expect.poll(() => slow.hits).toBe(1);
    await expect(
      stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-busy" }),
    ).rejects.toMatchObject({
      statusCode: 409,
      rawType: "idempotency_error",
    });
    const created = await running;
    const replay = await stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-busy" });
    expect(replay.id).toBe(created.id);
    expect(objects().sessions.size).toBe(1);
  });

  it("(c) reusing a key with different parameters is an idempotency_error, also after a saved 500", async () => {
    injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500", times: 1 });
    await expect(
      stripe().checkout.sessions.create(sessionParams(), { idempotencyKey: "k-diff" }),
    ).rejects.toMatchObject({ statusCode: 500 });
    await expect(
      stripe().checkout.sessions.create(sessionParams({ customer_email: "other@example.com" }), {
        idempotencyKey: "k-diff",
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      type: "StripeIdempotencyError",
    });
  });
});
