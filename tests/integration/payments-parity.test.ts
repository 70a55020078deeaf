import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { expireHolds } from "@/server/booking/expire";
import { resetStripeEmulator, stripeEmulatorFetch } from "@/server/emulators/stripe/emulator";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { refundPayment } from "@/server/payments/refunds";
import { createStripe, setStripeForTests } from "@/server/payments/stripe";
import { HOUR, T0, at, holdOk, newService, outboxRows } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import {
  checkoutOk,
  deliverWebhooksInProcess,
  inboxRows,
  paymentRows,
  refundRows,
  reservationStatus,
  settle,
} from "../helpers/payments";

/**
 * Parity (issue 4, item 7): one hold → pay → confirm → refund flow, run twice — once through the SDK's in-process
 * fetch transport (the embedded default) and once through the SDK's ordinary HTTP client pointed at a Stripe
 * stand-in listening on a port (host/port/protocol settings, the way production reaches api.stripe.com) — must leave
 * identical reservation, payment, refund, outbox and inbox states.
 */
describeEachDatabase("payments parity: in-process transport vs HTTP stand-in", (ctx) => {
  let server: Server;
  let port = 0;
  let requestsOverHttp = 0;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      requestsOverHttp++;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const method = req.method ?? "GET";
      const response = await stripeEmulatorFetch(`http://stripe.test${req.url ?? "/"}`, {
        method,
        headers,
        body: method === "GET" || method === "DELETE" ? undefined : Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    resetStripeEmulator();
    deliverWebhooksInProcess();
    clock.set(T0, { freeze: true });
  });
  afterEach(async () => {
    await settle();
    setStripeForTests(undefined);
    clock.reset();
  });

  /** The whole flow; returns its end state with ids and timestamps left out. */
  async function flow(): Promise<unknown> {
    const service = await newService(ctx.db, { priceAmount: 3000 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(48 * HOUR), capacity: 4 });
    const held = await holdOk(slot.id, { quantity: 2 });
    const first = await checkoutOk(held);
    expect((await payCheckoutSession(first.sessionId, "4000 0000 0000 0002")).outcome).toBe("failed");
    await settle();
    const second = await checkoutOk(held);
    expect((await payCheckoutSession(second.sessionId, "4242 4242 4242 4242")).outcome).toBe("succeeded");
    await settle();
    const refund = await refundPayment({
      paymentId: second.paymentId,
      amount: 2000,
      reason: "parity",
      actor: { kind: "system", name: "parity" },
    });
    expect(refund.refund.status).toBe("succeeded");
    await settle();

    const id = held.reservation.id;
    return {
      reservation: await reservationStatus(ctx.db, id),
      // The first attempt is closed by whichever comes first: the second checkout ("superseded", after it expired the
      // session at Stripe) or the `checkout.session.expired` webhook that expiry sends ("session_expired"; the loser
      // then reads "ignored_not_pending"). Both close the same row the same way; only the label differs.
      payments: (await paymentRows(ctx.db, id)).map((p) => ({
        ...p,
        id: undefined,
        checkout_session_id: undefined,
        payment_intent_id: undefined,
        outcome: p.outcome === "superseded" || p.outcome === "session_expired" ? "closed_unpaid" : p.outcome,
      })),
      refunds: (await refundRows(ctx.db, id)).map((r) => ({
        amount: r.amount,
        status: r.status,
        reason: r.reason,
        hasGatewayId: r.provider_refund_id !== null,
      })),
      outbox: (await outboxRows(ctx.db, id)).map((o) => `${o.kind}:${o.status}`).sort(),
      // Which of the two success events confirms first is a race (both runs deliver concurrently); the set of
      // outcomes is what must match.
      inbox: (await inboxRows(ctx.db, id)).map((e) => `${e.type}:${e.status}`).sort(),
      // Likewise the refund: the API's answer and the refund's webhook race to settle the ledger row, and whichever
      // comes second finds it in sync. Both leave the same ledger (compared above), so both read as "settled" here.
      outcomes: (await inboxRows(ctx.db, id))
        .map((e) =>
          e.outcome === "ledger_updated" || e.outcome === "ledger_in_sync"
            ? "ledger_settled"
            : e.type === "checkout.session.expired" &&
                (e.outcome === "session_expired" || e.outcome === "ignored_not_pending")
              ? "expiry_seen"
              : e.outcome,
        )
        .sort(),
    };
  }

  it("ends in identical states, and the HTTP run really went over the socket", async () => {
    const inProcess = await flow();

    resetStripeEmulator();
    deliverWebhooksInProcess();
    setStripeForTests(createStripe({ host: "127.0.0.1", port, protocol: "http" }));
    const before = requestsOverHttp;
    const overHttp = await flow();
    expect(requestsOverHttp - before).toBeGreaterThanOrEqual(8);

    expect(overHttp).toEqual(inProcess);
    expect(inProcess).toMatchObject({
      reservation: "confirmed",
      payments: [
        { attempt: 1, status: "expired", failure_code: "generic_decline", outcome: "closed_unpaid" },
        { attempt: 2, status: "partially_refunded", amount: 6000, amount_refunded: 2000, outcome: "confirmed" },
      ],
      refunds: [{ amount: 2000, status: "succeeded", reason: "parity", hasGatewayId: true }],
    });
  });
});
