import type Stripe from "stripe";
import type { WebhookDeliver } from "./webhooks";

/**
 * Shared by the emulator's unit tests: the Checkout Session the gateway creates, and a webhook transport that
 * records what it is sent and answers with a chosen status.
 */

export const TEST_NOW = new Date("2030-01-07T00:00:00Z");
export const TEST_NOW_S = TEST_NOW.getTime() / 1000;

export const RESERVATION_ID = "00000000-0000-4000-8000-000000000001";
export const PAYMENT_ID = "00000000-0000-4000-8000-0000000000aa";

export function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    success_url: "http://localhost:3000/reservations/BK-TEST/paid?session_id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://localhost:3000/reservations/BK-TEST/pay",
    client_reference_id: RESERVATION_ID,
    customer_email: "hanako@example.com",
    locale: "ja",
    metadata: { reservation_id: RESERVATION_ID, payment_id: PAYMENT_ID },
    payment_intent_data: { metadata: { reservation_id: RESERVATION_ID, payment_id: PAYMENT_ID } },
    expires_at: TEST_NOW_S + 31 * 60,
    line_items: [
      { quantity: 2, price_data: { currency: "jpy", unit_amount: 4500, product_data: { name: "茶道体験" } } },
    ],
    ...overrides,
  };
}

export type RecordedDelivery = { body: string; headers: Record<string, string>; event: Stripe.Event };

/**
 * A fake webhook endpoint. `statuses` are answered in turn (the last one repeats; default 200); a status of 0
 * throws like a refused connection.
 */
export function recordingTransport(statuses: number[] = [200]): {
  deliver: WebhookDeliver;
  received: RecordedDelivery[];
} {
  const received: RecordedDelivery[] = [];
  let call = 0;
  const deliver: WebhookDeliver = async (body, headers) => {
    const status = statuses[Math.min(call, statuses.length - 1)] ?? 200;
    call += 1;
    received.push({ body, headers, event: JSON.parse(body) as Stripe.Event });
    if (status === 0) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3000"), { code: "ECONNREFUSED" });
    return { status };
  };
  return { deliver, received };
}
