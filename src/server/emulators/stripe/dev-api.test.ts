import { NextRequest } from "next/server";
import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as payRoute } from "@/app/api/dev/payments/checkout/[sessionId]/route";
import { GET as webhooksGet, POST as webhooksPost } from "@/app/api/dev/payments/webhooks/route";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { configureStripeWebhooks, resetStripeEmulator, stripeEmulatorEvents } from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW, TEST_NOW_S } from "./test-fixtures";

/** /api/dev/payments/**: the sandbox page's Pay call and the webhook controls, called as Next.js calls them. */
describe("dev payments API", () => {
  let stripe: Stripe;
  let session: Stripe.Checkout.Session;
  let received: ReturnType<typeof recordingTransport>["received"];

  beforeEach(async () => {
    resetStripeEmulator();
    const transport = recordingTransport();
    received = transport.received;
    configureStripeWebhooks({ deliver: transport.deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
    session = await stripe.checkout.sessions.create(sessionParams());
  });
  afterEach(() => {
    resetStripeEmulator();
    clock.reset();
  });

  function post(
    handler: typeof payRoute,
    path: string,
    json: unknown,
    params: Record<string, string> = {},
  ): Promise<Response> {
    const req = new NextRequest(new URL(path, "http://localhost"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(json),
    });
    return handler(req, { params: Promise.resolve(params) });
  }

  const pay = (card: unknown, sessionId = session.id) =>
    post(payRoute, `/api/dev/payments/checkout/${sessionId}`, { card }, { sessionId });

  it("pays with a test card: 200 succeeded with the success URL, or 200 failed with the decline", async () => {
    const declined = await pay("4000 0000 0000 9995");
    expect(declined.status).toBe(200);
    expect(await declined.json()).toEqual({
      outcome: "failed",
      sessionId: session.id,
      paymentIntentId: expect.stringMatching(/^pi_/),
      error: { code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds." },
    });

    const paid = await pay("4242424242424242");
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({
      outcome: "succeeded",
      sessionId: session.id,
      successUrl: `http://localhost:3000/reservations/BK-TEST/paid?session_id=${session.id}`,
    });
  });

  it("404 for an unknown session, 409 once complete or expired, 422 without a card", async () => {
    const unknown = await pay("4242424242424242", "cs_test_nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not_found" });

    expect((await pay("")).status).toBe(422);

    await pay("4242424242424242");
    const again = await pay("4242424242424242");
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "invalid_state" });

    const late = await stripe.checkout.sessions.create(sessionParams());
    clock.set(new Date((TEST_NOW_S + 31 * 60) * 1000), { freeze: true });
    const expired = await pay("4242424242424242", late.id);
    expect(expired.status).toBe(409);
    expect(stripeEmulatorEvents().at(-1)).toMatchObject({
      type: "checkout.session.expired",
      data: { object: { id: late.id } },
    });
  });

  it("steers webhook delivery: pause, flush in reverse, redeliver copies, resume; GET shows every attempt", async () => {
    const control = (json: unknown) => post(webhooksPost, "/api/dev/payments/webhooks", json);

    expect(await (await control({ action: "pause" })).json()).toEqual({ mode: "paused", deliveries: [] });
    await pay("4242424242424242");
    const flushed = await (await control({ action: "flush", order: "reverse" })).json();
    expect(flushed.mode).toBe("paused");
    expect(received.map((r) => r.event.type)).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);

    const completedId = received[0]?.event.id;
    const redelivered = await control({ action: "redeliver", eventId: completedId, copies: 2 });
    expect(redelivered.status).toBe(200);
    expect(received.slice(2).map((r) => r.event.id)).toEqual([completedId, completedId]);

    expect((await control({ action: "redeliver", eventId: "evt_nope" })).status).toBe(404);
    expect((await control({ action: "redeliver", eventId: completedId, copies: 21 })).status).toBe(422);
    expect((await control({ action: "resume" })).status).toBe(200);

    const state = await (await webhooksGet(new NextRequest("http://localhost/api/dev/payments/webhooks"))).json();
    expect(state.mode).toBe("auto");
    expect(state.deliveries).toHaveLength(4);
    expect(state.deliveries[0]).toMatchObject({
      eventType: "payment_intent.succeeded",
      status: "succeeded",
      redelivery: false,
      attempts: [{ at: TEST_NOW.toISOString(), status: 200, error: null }],
    });
  });
});
