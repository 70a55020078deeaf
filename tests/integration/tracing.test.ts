import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { POST as checkoutRoute } from "@/app/api/reservations/[id]/checkout/route";
import { clock } from "@/lib/clock";
import { logger } from "@/lib/logger";
import { domainEvents } from "@/server/audit/events";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { expireHolds } from "@/server/booking/expire";
import { queryRows } from "@/server/db/client";
import { runJob } from "@/server/jobs/registry";
import { dispatchNotifications, setAutoDispatch } from "@/server/notifications/dispatch";
import { refundPayment } from "@/server/payments/refunds";
import { getStripe, setStripeForTests } from "@/server/payments/stripe";
import { traceQuery, traceSqlText, type TraceRow } from "../../scripts/trace-query";
import {
  HOUR,
  MINUTE,
  T0,
  at,
  holdPayload,
  manageTokenOf,
  newService,
  postHold,
  type HoldResponse,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson } from "../helpers/http";
import { deliverWebhooksInProcess, settle } from "../helpers/payments";
import type { CheckoutStart } from "@/server/payments/checkout";

const CARD_OK = "4242 4242 4242 4242";

/** Issue 13: from the request id of a paid booking, the documented query returns its audit, outbox and inbox rows. */
describeEachDatabase("tracing one request id through a paid booking", (ctx) => {
  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    resetStripeEmulator();
    deliverWebhooksInProcess();
    setAutoDispatch(false);
    clock.set(T0, { freeze: true });
  });
  afterEach(async () => {
    await settle();
    setStripeForTests(undefined);
    clock.reset();
  });

  const trace = (id: string) => queryRows<TraceRow>(ctx.db, traceQuery(id));

  /** hold (X-Request-Id holdId) → checkout (X-Request-Id checkoutId) → sandbox payment → signed webhooks. */
  async function paidBooking() {
    const service = await newService(ctx.db, { priceAmount: 3000 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 5 });
    const holdId = `trace-hold-${crypto.randomUUID()}`;
    const held = await expectJson<HoldResponse>(
      await postHold(holdPayload(slot.id), crypto.randomUUID(), { "x-request-id": holdId }),
      201,
    );
    const token = manageTokenOf(held.manageUrl);
    const reservationId = held.reservation.id;
    const checkoutId = `trace-checkout-${crypto.randomUUID()}`;
    const started = await callRoute(checkoutRoute, `/api/reservations/${reservationId}/checkout?token=${token}`, {
      method: "POST",
      params: { id: reservationId },
      headers: { "idempotency-key": crypto.randomUUID(), "x-request-id": checkoutId },
    });
    const { checkout } = await expectJson<{ checkout: CheckoutStart }>(started, 201);
    expect((await payCheckoutSession(checkout.sessionId, CARD_OK)).outcome).toBe("succeeded");
    await settle();
    return { reservationId, holdId, checkoutId, checkout };
  }

  it("the documented query is scripts/trace.sql, word for word", () => {
    const doc = readFileSync(path.resolve("docs/tracing.md"), "utf8");
    expect(doc).toContain(traceSqlText().trim());
  });

  it("from the hold's request id returns the booking's audit, outbox and inbox rows, each with the id that wrote it", async () => {
    const { reservationId, holdId, checkoutId, checkout } = await paidBooking();

    const rows = await trace(holdId);
    const audit = rows.filter((r) => r.source === "audit");
    const outbox = rows.filter((r) => r.source === "outbox");
    const inbox = rows.filter((r) => r.source === "inbox");

    expect(audit.find((r) => r.what === "reservation.held")).toMatchObject({
      request_id: holdId,
      subject: `reservation:${reservationId}`,
    });
    expect(audit.find((r) => r.what === "payment.checkout_started")).toMatchObject({
      request_id: checkoutId,
      subject: `payment:${checkout.paymentId}`,
    });
    const confirmed = audit.find((r) => r.what === "reservation.confirmed");
    expect(confirmed?.request_id).toBeTruthy();
    // The payment was confirmed by a webhook delivery: its own request id, not the hold's or the checkout's.
    expect([holdId, checkoutId]).not.toContain(confirmed?.request_id);

    expect(inbox.map((r) => r.what).sort()).toEqual([
      "checkout.session.completed processed already_paid",
      "payment_intent.succeeded processed confirmed",
    ]);
    // Each inbox row names the delivery that stored it, and the Stripe object's metadata names the checkout request.
    for (const row of inbox) {
      expect(row.request_id).toBeTruthy();
      expect(row.detail).toBe(`metadata.request_id=${checkoutId}`);
    }
    expect(inbox.map((r) => r.request_id)).toContain(confirmed?.request_id);

    const confirmation = outbox.find((r) => r.what.startsWith("confirmed email"));
    expect(confirmation?.request_id).toBe(confirmed?.request_id);

    // Every row carries an id; the same query from any of them finds the same booking.
    expect(rows.every((r) => r.request_id)).toBe(true);
    const subjects = (list: TraceRow[]) => list.map((r) => `${r.source}:${r.subject}:${r.what}`).sort();
    expect(subjects(await trace(checkoutId))).toEqual(subjects(rows));
    expect(subjects(await trace(confirmed?.request_id as string))).toEqual(subjects(rows));

    // The Checkout Session carries the checkout request's id for whoever reads it at Stripe.
    const session = await getStripe().checkout.sessions.retrieve(checkout.sessionId);
    expect(session.metadata).toMatchObject({ reservation_id: reservationId, request_id: checkoutId });
  });

  it("each state change of the booking is one domain-event log line carrying the id that caused it", async () => {
    const info = vi.spyOn(logger, "info");
    try {
      const { reservationId, holdId, checkoutId, checkout } = await paidBooking();
      const lines = info.mock.calls
        .map(([line]) => line as unknown as Record<string, unknown>)
        .filter((line) => (domainEvents as readonly unknown[]).includes(line?.event));
      const about = lines.filter((l) => l.entityId === reservationId || l.entityId === checkout.paymentId);
      const event = (name: string) => about.filter((l) => l.event === name);

      expect(event("reservation.held")).toEqual([expect.objectContaining({ requestId: holdId, actor: "guest" })]);
      expect(event("payment.checkout_started")).toEqual([expect.objectContaining({ requestId: checkoutId })]);
      const [confirmed] = event("reservation.confirmed");
      expect(event("reservation.confirmed")).toHaveLength(1);
      expect(event("payment.succeeded")).toEqual([expect.objectContaining({ requestId: confirmed?.requestId })]);
      const queued = lines.filter((l) => l.event === "notification.queued" && l.reservationId === reservationId);
      expect(queued).toEqual([expect.objectContaining({ kind: "confirmed", requestId: confirmed?.requestId })]);

      // One line per audit row with a domain action, and the log search by the trace's ids finds every one.
      const rows = await trace(holdId);
      const audited = rows.filter((r) => r.source === "audit" && (domainEvents as readonly string[]).includes(r.what));
      expect(about.map((l) => `${l.event} ${l.requestId}`).sort()).toEqual(
        audited.map((r) => `${r.what} ${r.request_id}`).sort(),
      );
      const ids = new Set(rows.map((r) => r.request_id));
      expect(lines.filter((l) => ids.has(l.requestId as string)).length).toBeGreaterThanOrEqual(about.length + 1);
    } finally {
      info.mockRestore();
    }
  });

  it("the sent email carries the id of the request that queued it in its X-Request-Id header", async () => {
    const { reservationId } = await paidBooking();
    await dispatchNotifications();
    const [row] = await queryRows<{ request_id: string; status: string; rendered_message: string }>(
      ctx.db,
      sql`select request_id, status, rendered_message from notifications
           where reservation_id = ${reservationId} and kind = 'confirmed' and channel = 'email'`,
    );
    expect(row?.status).toBe("sent");
    // Header names are case-insensitive; nodemailer writes this one as X-Request-ID.
    expect(row?.rendered_message).toMatch(new RegExp(`^X-Request-Id: ${row?.request_id}\\r?$`, "im"));
  });

  it("a refund's metadata names the request that asked for it", async () => {
    const { reservationId, checkout } = await paidBooking();
    const refundId = `trace-refund-${crypto.randomUUID()}`;
    const { refund } = await refundPayment({
      paymentId: checkout.paymentId,
      reason: "tracing test",
      actor: { kind: "system", name: "tracing-test" },
      requestId: refundId,
    });
    const stripeRefund = await getStripe().refunds.retrieve(refund.providerRefundId as string);
    expect(stripeRefund.metadata).toMatchObject({ reservation_id: reservationId, request_id: refundId });
    const rows = await trace(refundId);
    expect(rows.find((r) => r.what === "payment.refund_requested")?.request_id).toBe(refundId);
    expect(rows.some((r) => r.what === "reservation.held")).toBe(true);
  });

  it("a job run has its own id, on the rows it writes and in its result", async () => {
    const service = await newService(ctx.db, { priceAmount: 3000 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 5 });
    const held = await expectJson<HoldResponse>(await postHold(holdPayload(slot.id)), 201);
    clock.set(new Date(T0.getTime() + 60 * MINUTE), { freeze: true });

    const run = await runJob("expire-holds");
    expect(run).toMatchObject({ status: "done", affected: 1 });
    expect(run.runId).toMatch(/^job-expire-holds-[0-9a-f-]{36}$/);
    const rows = await trace(run.runId);
    expect(rows.find((r) => r.what === "reservation.expired")).toMatchObject({
      request_id: run.runId,
      subject: `reservation:${held.reservation.id}`,
    });
  });
});
