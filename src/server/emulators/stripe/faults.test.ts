import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import {
  clearStripeFaults,
  configureStripeWebhooks,
  injectStripeFault,
  resetStripeEmulator,
  stripeEmulatorEvents,
  stripeEmulatorFetch,
} from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW } from "./test-fixtures";

/** Injected 500s and hangs, seen through the SDK exactly as the gateway's timeouts and retries will see them. */
describe("Stripe emulator fault injection", () => {
  /** No SDK retries and a short timeout, so each fault is observed directly. */
  const strict = () =>
    new Stripe("sk_test_x", {
      httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch),
      timeout: 200,
      maxNetworkRetries: 0,
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

  it("http_500 answers a Stripe api_error and changes nothing; `times` limits it", async () => {
    const fault = injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "http_500", times: 1 });
    const failed = await strict()
      .checkout.sessions.create(sessionParams())
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(failed).toMatchObject({ statusCode: 500, type: "StripeAPIError" });
    expect(fault.hits).toBe(1);

    const created = await strict().checkout.sessions.create(sessionParams());
    expect(created.status).toBe("open");
    expect(fault.hits).toBe(1);
  });

  it("the app's client (SDK retries on) rides over a 500 on a read, but not a 500 saved under a POST's key", async () => {
    const stripe = createStripe();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const read = injectStripeFault({ method: "GET", path: /^\/v1\/checkout\/sessions\//, kind: "http_500", times: 1 });
    expect((await stripe.checkout.sessions.retrieve(session.id)).id).toBe(session.id);
    expect(read.hits).toBe(1);

    // The SDK sends its own Idempotency-Key on a POST; the 500 is saved under it with Stripe-Should-Retry: false.
    const write = injectStripeFault({ path: /^\/v1\/checkout\/sessions\/[^/]+\/expire$/, kind: "http_500", times: 1 });
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 500 });
    expect(write.hits).toBe(1);
    expect(stripeEmulatorEvents()).toEqual([]);
    // A new call (a new key) runs, and the change happens once.
    expect((await stripe.checkout.sessions.expire(session.id)).status).toBe("expired");
    expect(stripeEmulatorEvents().map((e) => e.type)).toEqual(["checkout.session.expired"]);
  });

  it("only matching requests are affected, until cleared", async () => {
    const stripe = strict();
    const session = await stripe.checkout.sessions.create(sessionParams());
    const fault = injectStripeFault({ method: "POST", path: /^\/v1\/checkout\/sessions/, kind: "http_500" });
    expect((await stripe.checkout.sessions.retrieve(session.id)).id).toBe(session.id);
    await expect(stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    await expect(stripe.checkout.sessions.create(sessionParams())).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(fault.hits).toBe(2);
    clearStripeFaults();
    expect((await stripe.checkout.sessions.create(sessionParams())).status).toBe("open");
  });

  it("hang: the SDK's timeout aborts the request, which never reaches the API", async () => {
    const fault = injectStripeFault({ method: "POST", path: "/v1/checkout/sessions", kind: "hang" });
    const started = performance.now();
    const timedOut = await strict()
      .checkout.sessions.create(sessionParams())
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(timedOut).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((timedOut as Error).message).toMatch(/timeout/i);
    // Stopped by the abort (200 ms), not by the 30 s hang.
    expect(elapsed).toBeLessThan(5_000);
    expect(fault.hits).toBe(1);
    fault.remove();
    const list = await strict().events.list();
    expect(list.data).toEqual([]);
  });

  it("hang shorter than the timeout: a slow answer that still arrives", async () => {
    const stripe = strict();
    const session = await stripe.checkout.sessions.create(sessionParams());
    injectStripeFault({
      method: "GET",
      path: `/v1/checkout/sessions/${session.id}`,
      kind: "hang",
      hangMs: 50,
      times: 1,
    });
    const started = performance.now();
    const retrieved = await stripe.checkout.sessions.retrieve(session.id);
    expect(retrieved.id).toBe(session.id);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
