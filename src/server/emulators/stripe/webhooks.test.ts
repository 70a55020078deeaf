import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clock } from "@/lib/clock";
import { appBaseUrl } from "@/lib/env";
import { stripeWebhookSecret } from "@/server/payments/config";
import { createStripe } from "@/server/payments/stripe";
import {
  configureStripeWebhooks,
  EmulatorError,
  flushWebhooks,
  listWebhookDeliveries,
  pauseWebhooks,
  payCheckoutSession,
  redeliverEvent,
  resetStripeEmulator,
  resumeWebhooks,
  settleWebhooks,
  stripeEmulatorEvents,
  webhookMode,
  type WebhookDeliver,
} from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW } from "./test-fixtures";

/** Signed, asynchronous, retried delivery, and the controls that make it late, out of order or duplicated. */
describe("Stripe emulator webhook delivery", () => {
  let stripe: Stripe;

  beforeEach(() => {
    resetStripeEmulator();
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    resetStripeEmulator();
    clock.reset();
  });

  async function paidSession(card = "4242424242424242"): Promise<string> {
    const session = await stripe.checkout.sessions.create(sessionParams());
    payCheckoutSession(session.id, card);
    return session.id;
  }

  function verify(body: string, header: string | undefined): Stripe.Event {
    return Stripe.webhooks.constructEvent(
      body,
      header ?? "",
      stripeWebhookSecret(),
      300,
      undefined,
      clock.now().getTime(),
    );
  }

  it("delivers each event after the request that caused it, signed so the SDK's constructEvent accepts it", async () => {
    const { deliver, received } = recordingTransport();
    configureStripeWebhooks({ deliver });
    await paidSession();
    expect(received).toHaveLength(0);

    await settleWebhooks();
    expect(received.map((r) => r.event.type)).toEqual(["payment_intent.succeeded", "checkout.session.completed"]);
    const stored = stripeEmulatorEvents();
    for (const [i, delivery] of received.entries()) {
      expect(verify(delivery.body, delivery.headers["Stripe-Signature"]).id).toBe(stored[i]?.id);
      expect(delivery.headers["Content-Type"]).toMatch(/^application\/json/);
      // Sent while still pending; the stored event reads 0 once this endpoint has acknowledged it.
      expect(JSON.parse(delivery.body)).toEqual({ ...stored[i], pending_webhooks: 1 });
    }
    // The signature covers the exact bytes: any change is refused.
    const tampered = (received[0] as (typeof received)[number]).body.replace('"livemode": false', '"livemode": true');
    expect(() => verify(tampered, received[0]?.headers["Stripe-Signature"])).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );

    expect(listWebhookDeliveries()).toEqual([
      expect.objectContaining({
        eventType: "payment_intent.succeeded",
        status: "succeeded",
        attempts: [{ at: TEST_NOW.toISOString(), status: 200, error: null }],
      }),
      expect.objectContaining({ eventType: "checkout.session.completed", status: "succeeded" }),
    ]);
    expect((await stripe.events.retrieve(stored[0]?.id as string)).pending_webhooks).toBe(0);
  });

  it("retries a 500 and a refused connection with exponential backoff, then succeeds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    vi.spyOn(Math, "random").mockReturnValue(0.5); // no jitter: exactly 1 s, then 2 s
    const { deliver, received } = recordingTransport([500, 0, 200]);
    configureStripeWebhooks({ deliver });
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);

    await vi.advanceTimersByTimeAsync(0);
    expect(received).toHaveLength(1);
    expect(listWebhookDeliveries()[0]).toMatchObject({
      status: "retry_scheduled",
      nextAttemptAt: new Date(TEST_NOW.getTime() + 1000).toISOString(),
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(received).toHaveLength(2);
    expect(listWebhookDeliveries()[0]?.nextAttemptAt).toBe(new Date(TEST_NOW.getTime() + 2000).toISOString());
    await vi.advanceTimersByTimeAsync(1999);
    expect(received).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);

    const [delivery] = listWebhookDeliveries();
    expect(delivery?.status).toBe("succeeded");
    expect(delivery?.attempts.map((a) => [a.status, a.error])).toEqual([
      [500, null],
      [null, "Error: connect ECONNREFUSED 127.0.0.1:3000"],
      [200, null],
    ]);
    // Every attempt is signed afresh and carries the same event.
    expect(new Set(received.map((r) => r.event.id)).size).toBe(1);
  });

  it("applies ±20% jitter and gives up after maxAttempts", async () => {
    const { deliver, received } = recordingTransport([503]);
    vi.spyOn(Math, "random").mockReturnValue(0);
    configureStripeWebhooks({ deliver, baseDelayMs: 10, maxAttempts: 3 });
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    await settleWebhooks();
    expect(listWebhookDeliveries()[0]?.nextAttemptAt).toBe(new Date(TEST_NOW.getTime() + 8).toISOString());

    await settleWebhooks({ includeRetries: true });
    expect(received).toHaveLength(3);
    expect(listWebhookDeliveries()[0]).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(listWebhookDeliveries()[0]?.attempts.map((a) => a.status)).toEqual([503, 503, 503]);
  });

  it("holds deliveries while paused; flush sends them in reverse without resuming; resume sends the rest in order", async () => {
    const { deliver, received } = recordingTransport();
    configureStripeWebhooks({ deliver });
    pauseWebhooks();
    await paidSession();
    await settleWebhooks();
    expect(received).toHaveLength(0);
    expect(listWebhookDeliveries().map((d) => d.status)).toEqual(["held", "held"]);

    await flushWebhooks({ order: "reverse" });
    expect(received.map((r) => r.event.type)).toEqual(["checkout.session.completed", "payment_intent.succeeded"]);
    expect(webhookMode()).toBe("paused");

    const other = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(other.id);
    payCheckoutSession((await stripe.checkout.sessions.create(sessionParams())).id, "4000000000000002");
    await settleWebhooks();
    expect(received).toHaveLength(2);

    await resumeWebhooks();
    expect(webhookMode()).toBe("auto");
    expect(received.slice(2).map((r) => r.event.type)).toEqual([
      "checkout.session.expired",
      "payment_intent.payment_failed",
    ]);
  });

  it("redelivers one event as simultaneous duplicates, or one after another", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const bodies: string[] = [];
    const slowDeliver: WebhookDeliver = async (body) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      bodies.push(body);
      return { status: 200 };
    };
    configureStripeWebhooks({ deliver: slowDeliver });
    await paidSession();
    await settleWebhooks();
    const completed = stripeEmulatorEvents()[1] as Stripe.Event;

    maxInFlight = 0;
    const copies = await redeliverEvent(completed.id, { copies: 3 });
    expect(copies).toHaveLength(3);
    expect(copies.every((d) => d.redelivery && d.status === "succeeded" && d.eventId === completed.id)).toBe(true);
    expect(maxInFlight).toBe(3);
    expect(bodies.slice(2)).toEqual([bodies[1], bodies[1], bodies[1]]);

    maxInFlight = 0;
    await redeliverEvent(completed.id, { copies: 2, concurrent: false });
    expect(maxInFlight).toBe(1);
    expect(listWebhookDeliveries()).toHaveLength(7);

    await expect(redeliverEvent("evt_nope")).rejects.toThrow(EmulatorError);
  });

  it("by default POSTs to the app's own webhook route", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(null, { status: 200 }));
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    await settleWebhooks();

    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${appBaseUrl()}/api/webhooks/stripe`);
    expect(init.method).toBe("POST");
    const headers = init.headers as Record<string, string>;
    expect(verify(init.body as string, headers["Stripe-Signature"]).type).toBe("checkout.session.expired");
  });

  it("reset cancels scheduled retries", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { deliver, received } = recordingTransport([500]);
    configureStripeWebhooks({ deliver });
    const session = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(session.id);
    await vi.advanceTimersByTimeAsync(0);
    expect(listWebhookDeliveries()[0]?.status).toBe("retry_scheduled");

    resetStripeEmulator();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(received).toHaveLength(1);
    expect(listWebhookDeliveries()).toEqual([]);
  });
});
