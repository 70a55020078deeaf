import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { configureStripeWebhooks, payCheckoutSession, resetStripeEmulator, stripeEmulatorEvents } from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW, TEST_NOW_S } from "./test-fixtures";

/** GET /v1/events the way a reconcile job reads it: since a time, by type, page by page. */
describe("events list and retrieve", () => {
  let stripe: Stripe;

  beforeEach(async () => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
    // t0: a payment (2 events); t0+60: a decline (1); t0+120: an expiry (1).
    const paid = await stripe.checkout.sessions.create(sessionParams());
    payCheckoutSession(paid.id, "4242424242424242");
    clock.advance(60_000);
    const declined = await stripe.checkout.sessions.create(sessionParams({ expires_at: TEST_NOW_S + 60 * 60 }));
    payCheckoutSession(declined.id, "4000000000000002");
    clock.advance(60_000);
    await stripe.checkout.sessions.expire(declined.id);
  });
  afterEach(() => {
    clock.reset();
  });

  it("lists newest first, filtered by created[gte] and types[]", async () => {
    const all = await stripe.events.list();
    expect(all.data.map((e) => e.type)).toEqual([
      "checkout.session.expired",
      "payment_intent.canceled",
      "payment_intent.payment_failed",
      "checkout.session.completed",
      "payment_intent.succeeded",
    ]);
    expect(all.has_more).toBe(false);

    const recent = await stripe.events.list({ created: { gte: TEST_NOW_S + 60 } });
    expect(recent.data.map((e) => e.created)).toEqual([TEST_NOW_S + 120, TEST_NOW_S + 120, TEST_NOW_S + 60]);

    const typed = await stripe.events.list({ types: ["checkout.session.completed", "checkout.session.expired"] });
    expect(typed.data.map((e) => e.type)).toEqual(["checkout.session.expired", "checkout.session.completed"]);

    const wildcard = await stripe.events.list({ type: "payment_intent.*", created: { lt: TEST_NOW_S + 120 } });
    expect(wildcard.data.map((e) => e.type)).toEqual(["payment_intent.payment_failed", "payment_intent.succeeded"]);
  });

  it("pages with limit and starting_after, and the SDK's auto-pagination walks every page", async () => {
    const first = await stripe.events.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = await stripe.events.list({ limit: 2, starting_after: first.data[1]?.id });
    expect(second.data.map((e) => e.type)).toEqual(["payment_intent.payment_failed", "checkout.session.completed"]);

    const walked: string[] = [];
    for await (const event of stripe.events.list({ limit: 2 })) walked.push(event.id);
    expect(walked).toEqual(
      stripeEmulatorEvents()
        .map((e) => e.id)
        .reverse(),
    );

    const badCursor = await stripe.events.list({ starting_after: "evt_nope" }).catch((e: unknown) => e);
    expect(badCursor).toMatchObject({ code: "resource_missing", param: "starting_after" });
  });

  it("retrieves one event as stored and answers 404 for an unknown id", async () => {
    const [oldest] = stripeEmulatorEvents();
    const event = await stripe.events.retrieve(oldest?.id as string);
    expect(event).toMatchObject({
      id: oldest?.id,
      object: "event",
      type: "payment_intent.succeeded",
      api_version: Stripe.API_VERSION,
      livemode: false,
      data: { object: { object: "payment_intent", status: "succeeded" } },
    });
    const missing = await stripe.events.retrieve("evt_nope").catch((e: unknown) => e);
    expect(missing).toMatchObject({ type: "StripeInvalidRequestError", code: "resource_missing", statusCode: 404 });
  });

  it("keeps each event's object as it was when the event happened", async () => {
    const completed = stripeEmulatorEvents().find((e) => e.type === "payment_intent.succeeded");
    const pi = completed?.data.object as Stripe.PaymentIntent;
    await stripe.refunds.create({ payment_intent: pi.id });
    const again = await stripe.events.retrieve(completed?.id as string);
    expect(again.data.object).toEqual(pi);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.refunded).toBe(true);
  });
});
