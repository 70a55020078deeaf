import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { POST as checkoutRoute } from "@/app/api/reservations/[id]/checkout/route";
import { POST as webhookRoute } from "@/app/api/webhooks/stripe/route";
import { configureStripeWebhooks, settleWebhooks } from "@/server/emulators/stripe/webhooks";
import { queryRows, type Db } from "@/server/db/client";
import type { CheckoutStart } from "@/server/payments/checkout";
import type { Held } from "./booking";
import { callRoute, expectJson } from "./http";

/**
 * Payments test kit: the emulator's signed webhook deliveries go straight into the real route handler (no port),
 * checkout goes through the real route, and probes read what the flow left in the database.
 */

/** Emulator deliveries → POST /api/webhooks/stripe handler, with quick retries. */
export function deliverWebhooksInProcess(options: { maxAttempts?: number } = {}): void {
  configureStripeWebhooks({
    deliver: async (body, headers) => {
      const res = await callRoute(webhookRoute, "/api/webhooks/stripe", { method: "POST", body, headers });
      await res.text();
      return { status: res.status };
    },
    baseDelayMs: 5,
    maxAttempts: options.maxAttempts ?? 3,
    mode: "auto",
  });
}

export function postWebhook(body: string, headers: Record<string, string>) {
  return callRoute(webhookRoute, "/api/webhooks/stripe", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function postCheckout(held: Held, key: string | null = crypto.randomUUID()) {
  const id = held.reservation.id;
  return callRoute(checkoutRoute, `/api/reservations/${id}/checkout?token=${held.token}`, {
    method: "POST",
    params: { id },
    headers: key === null ? {} : { "idempotency-key": key },
  });
}

export async function checkoutOk(held: Held): Promise<CheckoutStart> {
  const body = await expectJson<{ checkout: CheckoutStart }>(await postCheckout(held), 201);
  expect(body.checkout.url).toContain(`/dev/checkout/${body.checkout.sessionId}`);
  return body.checkout;
}

/** Waits until the emulator has no delivery in flight or due now (retries included). */
export function settle(): Promise<void> {
  return settleWebhooks({ includeRetries: true });
}

export type PaymentRow = {
  id: string;
  status: string;
  attempt: number;
  amount: number;
  amount_refunded: number;
  late_payment: boolean;
  outcome: string | null;
  failure_code: string | null;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
};

export function paymentRows(db: Db, reservationId: string): Promise<PaymentRow[]> {
  return queryRows<PaymentRow>(
    db,
    sql`select id, status, attempt, amount, amount_refunded, late_payment, outcome, failure_code, checkout_session_id, payment_intent_id
          from payments where reservation_id = ${reservationId} order by attempt`,
  );
}

export type RefundRow = {
  id: string;
  amount: number;
  status: string;
  reason: string;
  provider_refund_id: string | null;
};

export function refundRows(db: Db, reservationId: string): Promise<RefundRow[]> {
  return queryRows<RefundRow>(
    db,
    sql`select id, amount, status, reason, provider_refund_id from refunds where reservation_id = ${reservationId} order by created_at, id`,
  );
}

export type InboxRow = { event_id: string; type: string; status: string; outcome: string | null; attempts: number };

/** Inbox rows about one reservation (every event the gateway emits carries its id in the object's metadata). */
export function inboxRows(db: Db, reservationId: string): Promise<InboxRow[]> {
  return queryRows<InboxRow>(
    db,
    sql`select event_id, type, status, outcome, attempts from webhook_events
         where payload #>> '{data,object,metadata,reservation_id}' = ${reservationId}
         order by received_at, event_id`,
  );
}

export async function reservationStatus(db: Db, id: string): Promise<string> {
  const [row] = await queryRows<{ status: string }>(db, sql`select status from reservations where id = ${id}`);
  return row?.status ?? "missing";
}
