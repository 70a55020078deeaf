// Long on purpose: a test file: one case table per Stripe endpoint the app calls.
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import * as fixtures from "../../../../tests/fixtures/stripe";
import { configureStripeWebhooks, payCheckoutSession, resetStripeEmulator, settleWebhooks } from "./emulator";
import { recordingTransport, sessionParams, TEST_NOW, TEST_NOW_S, type RecordedDelivery } from "./test-fixtures";

/**
 * Contract: the emulator's objects have the shape of the real Stripe API's. Each object is produced by driving the
 * emulator the way the app does (the official SDK over the emulator transport, the sandbox checkout for the
 * customer's part, the test clock for time, a recording webhook transport so no HTTP happens) and compared with a
 * hand-written, SDK-type-checked reference in tests/fixtures/stripe/.
 *
 * The comparison (shapeDiff below) walks the fixture and the emulator's JSON together:
 * 1. Keys: every plain object has exactly the fixture's set of keys, at every level (a missing key and an extra
 *    key both fail). Exception: a `metadata` object is a free-form map; it must be an object of string values.
 * 2. Types: each value has the fixture's JSON type (string, integer, non-integer number, boolean, array, object).
 *    A key whose fixture value is null may hold anything in the emulator (null, or a value the scenario gives it);
 *    where the fixture has a non-null value the emulator must have one of the same type, never null.
 * 3. Arrays: an empty fixture array requires an empty array; a non-empty one requires a non-empty array whose
 *    first element has the shape of the fixture's first element (lengths are not compared).
 * 4. Values that matter are compared exactly: every boolean, and the string keys in LITERAL_KEYS (`object`,
 *    `type`, `status`, `currency`, `mode`, `payment_status`, `code`, …). Ids keep the fixture's prefix (ID_KEYS:
 *    `cs_test_`, `pi_`, `ch_`, `pm_`, `txn_`, `re_`, `evt_`, `req_`, `pmc_`), and `api_version` has Stripe's
 *    dated format (and, separately, is the SDK's pinned version).
 * Error bodies are compared the same way: the SDK's `error.raw` is the body's `error` object plus three keys the
 * SDK adds (`headers`, `statusCode`, `requestId`), which are removed first.
 * The last describe block shows that each rule fails when it should.
 */

const LITERAL_KEYS = new Set([
  "object",
  "type",
  "status",
  "currency",
  "mode",
  "payment_status",
  "ui_mode",
  "capture_method",
  "confirmation_method",
  "customer_creation",
  "code",
  "decline_code",
  "advice_code",
  "param",
  "reason",
  "reference_status",
  "reference_type",
  "tax_exempt",
  "required",
]);
const ID_KEYS = new Set([
  "id",
  "charge",
  "latest_charge",
  "payment_intent",
  "payment_method",
  "balance_transaction",
  "client_secret",
]);
const MAP_KEYS = new Set(["metadata"]);
const API_VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

type Kind = "null" | "string" | "integer" | "number" | "boolean" | "array" | "object" | "undefined";

function kindOf(value: unknown): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "object") return "object";
  return "undefined";
}

function idPrefix(id: string): string | null {
  return /^(cs_(?:test|live)_|[a-z]+_)/.exec(id)?.[1] ?? null;
}

/** Every difference between a fixture and the emulator's JSON under the rules above; [] when they agree. */
function shapeDiff(expected: unknown, actual: unknown, path = "$", key = ""): string[] {
  if (expected === null) return [];
  const want = kindOf(expected);
  const got = kindOf(actual);
  if (want === "number" ? got !== "number" && got !== "integer" : want !== got) {
    return [`${path}: expected ${want}, got ${got === "null" ? "null" : `${got} ${JSON.stringify(actual)}`}`];
  }
  if (typeof expected === "boolean" && expected !== actual)
    return [`${path}: expected ${expected}, got ${String(actual)}`];
  if (typeof expected === "string" && typeof actual === "string") return stringDiff(expected, actual, path, key);
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0)
      return actual.length === 0 ? [] : [`${path}: expected [], got ${actual.length} element(s)`];
    if (actual.length === 0) return [`${path}: expected at least one element, got []`];
    return shapeDiff(expected[0], actual[0], `${path}[0]`, key);
  }
  if (want === "object") {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    if (MAP_KEYS.has(key)) {
      const bad = Object.entries(a).filter(([, v]) => typeof v !== "string");
      return bad.map(([k, v]) => `${path}.${k}: metadata values are strings, got ${kindOf(v)}`);
    }
    const diffs: string[] = [];
    for (const k of Object.keys(e)) {
      if (!(k in a)) diffs.push(`${path}.${k}: missing`);
      else diffs.push(...shapeDiff(e[k], a[k], `${path}.${k}`, k));
    }
    for (const k of Object.keys(a)) if (!(k in e)) diffs.push(`${path}.${k}: unexpected key (${kindOf(a[k])})`);
    return diffs;
  }
  return [];
}

function stringDiff(expected: string, actual: string, path: string, key: string): string[] {
  if (LITERAL_KEYS.has(key) && expected !== actual) return [`${path}: expected "${expected}", got "${actual}"`];
  if (ID_KEYS.has(key)) {
    const prefix = idPrefix(expected);
    if (prefix && !actual.startsWith(prefix)) return [`${path}: expected an id starting "${prefix}", got "${actual}"`];
  }
  if (key === "api_version" && !API_VERSION_FORMAT.test(actual))
    return [`${path}: "${actual}" is not a dated API version`];
  return [];
}

/** The SDK's parsed response as the JSON it came from (drops the non-enumerable lastResponse). */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The wire body of an API error the SDK threw: `{ error: raw }` without the keys the SDK adds to raw. */
function errorBody(error: unknown): { status: number | undefined; body: unknown } {
  if (!(error instanceof Stripe.errors.StripeError)) throw new Error(`expected a StripeError, got ${String(error)}`);
  const {
    headers: _headers,
    statusCode: _statusCode,
    requestId: _requestId,
    ...raw
  } = error.raw as Record<string, unknown>;
  return { status: error.statusCode, body: { error: json(raw) } };
}

const CARD_OK = "4242424242424242";
const CARD_INSUFFICIENT_FUNDS = "4000000000009995";
const CARDHOLDER = { name: "Hanako Yamada" };
const REFUND_METADATA = {
  refund_id: "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
  reservation_id: "3f9a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
};

describe("Stripe emulator contract: objects match tests/fixtures/stripe", () => {
  let stripe: Stripe;
  let received: RecordedDelivery[];

  beforeEach(() => {
    resetStripeEmulator();
    const transport = recordingTransport();
    received = transport.received;
    configureStripeWebhooks({ deliver: transport.deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
  });
  afterEach(() => {
    clock.reset();
  });

  /** Pays a new session with the 4242 card; returns its ids. */
  async function paidSession(): Promise<{ sessionId: string; paymentIntentId: string }> {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const paid = payCheckoutSession(session.id, CARD_OK, CARDHOLDER);
    if (paid.outcome !== "succeeded") throw new Error(`payment failed: ${paid.error.code}`);
    return { sessionId: session.id, paymentIntentId: paid.paymentIntentId };
  }

  async function deliveredEvent(type: string): Promise<unknown> {
    await settleWebhooks();
    const matching = received.filter((r) => r.event.type === type);
    expect(matching, `deliveries of ${type}`).toHaveLength(1);
    return JSON.parse((matching[0] as RecordedDelivery).body);
  }

  it("checkout.session: open when created, complete once paid", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    expect(shapeDiff(fixtures.checkoutSessionOpen, json(created))).toEqual([]);
    expect(shapeDiff(fixtures.checkoutSessionOpen, json(await stripe.checkout.sessions.retrieve(created.id)))).toEqual(
      [],
    );

    payCheckoutSession(created.id, CARD_OK, CARDHOLDER);
    const complete = await stripe.checkout.sessions.retrieve(created.id);
    expect(shapeDiff(fixtures.checkoutSessionComplete, json(complete))).toEqual([]);
  });

  it("payment_intent succeeded, its charge, a partial refund, and the charge after it", async () => {
    const { paymentIntentId } = await paidSession();
    const pi = await stripe.paymentIntents.retrieve(paymentIntentId);
    expect(shapeDiff(fixtures.paymentIntentSucceeded, json(pi))).toEqual([]);

    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(shapeDiff(fixtures.chargeSucceeded, json(charge))).toEqual([]);

    const refund = await stripe.refunds.create(
      { payment_intent: paymentIntentId, amount: 3000, reason: "requested_by_customer", metadata: REFUND_METADATA },
      { idempotencyKey: `refund:${REFUND_METADATA.refund_id}` },
    );
    expect(shapeDiff(fixtures.refundSucceeded, json(refund))).toEqual([]);
    expect(shapeDiff(fixtures.refundSucceeded, json(await stripe.refunds.retrieve(refund.id)))).toEqual([]);

    const refunded = await stripe.charges.retrieve(charge.id);
    expect(shapeDiff(fixtures.chargePartiallyRefunded, json(refunded))).toEqual([]);
    expect(refunded).toMatchObject({ amount_refunded: 3000, refunded: false });
  });

  it("payment_intent requires_payment_method after an insufficient_funds decline", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const declined = payCheckoutSession(session.id, CARD_INSUFFICIENT_FUNDS, CARDHOLDER);
    expect(declined.outcome).toBe("failed");
    const pi = await stripe.paymentIntents.retrieve(declined.paymentIntentId as string);
    expect(shapeDiff(fixtures.paymentIntentRequiresPaymentMethod, json(pi))).toEqual([]);
  });

  it("event envelopes: checkout.session.completed, payment_intent.succeeded / payment_failed", async () => {
    await paidSession();
    const completed = await deliveredEvent("checkout.session.completed");
    expect(shapeDiff(fixtures.checkoutSessionCompletedEvent, completed)).toEqual([]);
    expect(completed).toMatchObject({ api_version: Stripe.API_VERSION });
    expect(shapeDiff(fixtures.paymentIntentSucceededEvent, await deliveredEvent("payment_intent.succeeded"))).toEqual(
      [],
    );

    const other = await stripe.checkout.sessions.create(sessionParams());
    payCheckoutSession(other.id, CARD_INSUFFICIENT_FUNDS, CARDHOLDER);
    const failed = await deliveredEvent("payment_intent.payment_failed");
    expect(shapeDiff(fixtures.paymentIntentPaymentFailedEvent, failed)).toEqual([]);
  });

  it("event envelopes: charge.refunded, refund.updated, checkout.session.expired (on its own)", async () => {
    const { paymentIntentId } = await paidSession();
    await stripe.refunds.create(
      { payment_intent: paymentIntentId, amount: 3000, reason: "requested_by_customer", metadata: REFUND_METADATA },
      { idempotencyKey: `refund:${REFUND_METADATA.refund_id}` },
    );
    const chargeRefunded = await deliveredEvent("charge.refunded");
    expect(shapeDiff(fixtures.chargeRefundedEvent, chargeRefunded)).toEqual([]);
    expect(chargeRefunded).toMatchObject({ request: { idempotency_key: `refund:${REFUND_METADATA.refund_id}` } });
    expect(shapeDiff(fixtures.refundUpdatedEvent, await deliveredEvent("refund.updated"))).toEqual([]);

    const unpaid = await stripe.checkout.sessions.create(sessionParams());
    clock.set(new Date((TEST_NOW_S + 31 * 60) * 1000), { freeze: true });
    expect((await stripe.checkout.sessions.retrieve(unpaid.id)).status).toBe("expired");
    const expired = await deliveredEvent("checkout.session.expired");
    expect(shapeDiff(fixtures.checkoutSessionExpiredEvent, expired)).toEqual([]);
    expect(expired).toMatchObject({ request: { id: null, idempotency_key: null } });
  });

  it("the same events read back through GET /v1/events", async () => {
    await paidSession();
    const listed = await stripe.events.list({ types: ["checkout.session.completed"] });
    expect(listed.data).toHaveLength(1);
    expect(shapeDiff(fixtures.checkoutSessionCompletedEvent, json(listed.data[0]))).toEqual([]);
  });

  it("error bodies: invalid_request_error resource_missing (404) and idempotency_error (400)", async () => {
    const missing = errorBody(await stripe.checkout.sessions.retrieve("cs_test_a1nope").catch((e: unknown) => e));
    expect(missing.status).toBe(404);
    expect(shapeDiff(fixtures.resourceMissingError, missing.body)).toEqual([]);

    const { paymentIntentId } = await paidSession();
    const key = `refund:${REFUND_METADATA.refund_id}`;
    await stripe.refunds.create({ payment_intent: paymentIntentId, amount: 3000 }, { idempotencyKey: key });
    const reused = await stripe.refunds
      .create({ payment_intent: paymentIntentId, amount: 2000 }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    const conflict = errorBody(reused);
    expect(conflict.status).toBe(400);
    expect(shapeDiff(fixtures.idempotencyError, conflict.body)).toEqual([]);
  });
});

describe("the contract's comparison fails when it should", () => {
  const fixture = {
    id: "pi_3QfX4aLkdIwHu7ix1Hn6Tq2W",
    object: "payment_intent",
    amount: 9000,
    status: "succeeded",
    paid: true,
    api_version: "2026-10-28.endive",
    description: null,
    metadata: { reservation_id: "r-1" },
    nested: { card: { last4: "4242" } },
    types: ["card"],
    items: [{ name: "a" }],
    none: [],
  };
  const ok = {
    ...fixture,
    id: "pi_emulated",
    description: "anything",
    metadata: { other: "x" },
    types: ["card", "link"],
  };

  it("accepts a matching object (null in the fixture allows any value; metadata is a map)", () => {
    expect(shapeDiff(fixture, ok)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a missing key", { amount: undefined }, /\$\.amount: (missing|expected integer)/],
    ["an extra key", { extra: 1 }, /\$\.extra: unexpected key/],
    ["a nested missing key", { nested: { card: {} } }, /\$\.nested\.card\.last4: missing/],
    [
      "a nested extra key",
      { nested: { card: { last4: "4242", brand: "visa" } } },
      /\$\.nested\.card\.brand: unexpected key/,
    ],
    ["a wrong type", { amount: "9000" }, /\$\.amount: expected integer, got string/],
    ["a float for an integer", { amount: 90.5 }, /\$\.amount: expected integer, got number/],
    ["null where the fixture has a value", { status: null }, /\$\.status: expected string, got null/],
    ["a wrong literal", { status: "processing" }, /\$\.status: expected "succeeded", got "processing"/],
    ["a wrong object name", { object: "charge" }, /\$\.object: expected "payment_intent"/],
    ["a different boolean", { paid: false }, /\$\.paid: expected true, got false/],
    ["a wrong id prefix", { id: "ch_123" }, /\$\.id: expected an id starting "pi_"/],
    ["a malformed api_version", { api_version: "latest" }, /\$\.api_version: "latest" is not a dated API version/],
    ["a non-string metadata value", { metadata: { n: 1 } }, /\$\.metadata\.n: metadata values are strings/],
    ["an empty array where the fixture has elements", { types: [] }, /\$\.types: expected at least one element/],
    ["an array element of another shape", { items: [{ title: "a" }] }, /\$\.items\[0\]\.name: missing/],
    ["elements where the fixture has none", { none: [1] }, /\$\.none: expected \[\], got 1 element/],
  ])("rejects %s", (_, change, message) => {
    const actual = { ...ok, ...change };
    if ("amount" in change && change.amount === undefined) delete (actual as Record<string, unknown>).amount;
    const diffs = shapeDiff(fixture, actual);
    expect(
      diffs.some((d) => message.test(d)),
      diffs.join("\n"),
    ).toBe(true);
  });
});
