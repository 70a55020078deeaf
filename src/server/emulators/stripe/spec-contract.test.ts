import { readFileSync } from "node:fs";
import path from "node:path";
import Stripe from "stripe";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { createStripe } from "@/server/payments/stripe";
import { configureStripeWebhooks, payCheckoutSession, resetStripeEmulator, stripeEmulatorEvents } from "./emulator";
import { schemaOf, type JsonSchema } from "./spec-schema";
import { recordingTransport, sessionParams, TEST_NOW } from "./test-fixtures";

/**
 * The emulator against Stripe's own specification rather than fixtures written here: JSON Schemas are derived at
 * test time from the types the installed SDK generates from Stripe's OpenAPI spec (./spec-schema.ts), and every
 * object a realistic flow returns (session created, paid, declined, refunded; events; lists; errors) must satisfy
 * them. REVIEWED_OPENAPI_VERSION is the spec version someone last compared the emulator with; when the SDK moves,
 * this test fails until the emulator is re-read against the new types and the constant updated.
 */
const REVIEWED_OPENAPI_VERSION = "v2596";

/** Fields the app reads (src/server/payments/*): each must be a required field of the spec and present here. */
const APP_READS: Record<string, string[]> = {
  "Checkout.Session": [
    "id",
    "url",
    "status",
    "payment_status",
    "payment_intent",
    "metadata",
    "expires_at",
    "amount_total",
    "currency",
    "client_reference_id",
  ],
  PaymentIntent: [
    "id",
    "status",
    "amount",
    "amount_received",
    "currency",
    "latest_charge",
    "metadata",
    "last_payment_error",
  ],
  Charge: ["id", "amount", "amount_refunded", "refunded", "payment_intent"],
  Refund: ["id", "status", "amount", "metadata", "payment_intent"],
  Event: ["id", "type", "created", "data"],
};

type Violation = string;

/** A small validator for the subset of JSON Schema that spec-schema.ts produces (type, enum, required, properties, items). */
function violations(schema: JsonSchema, value: unknown, at = "$"): Violation[] {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (schema.type && schema.type.length > 0 && !schema.type.includes(kind))
    return [`${at}: ${kind}, spec allows ${schema.type.join("|")}`];
  if (schema.enum && !schema.enum.includes(value as string | number | boolean | null))
    return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  const out: Violation[] = [];
  if (kind === "object" && schema.properties) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? [])
      if (!(key in record)) out.push(`${at}.${key}: missing (required by the spec)`);
    for (const [key, sub] of Object.entries(schema.properties))
      if (key in record && record[key] !== undefined) out.push(...violations(sub, record[key], `${at}.${key}`));
  }
  if (kind === "array" && schema.items)
    (value as unknown[]).forEach((item, i) => out.push(...violations(schema.items as JsonSchema, item, `${at}[${i}]`)));
  return out;
}

describe(`Stripe emulator against the SDK's OpenAPI types (${REVIEWED_OPENAPI_VERSION})`, () => {
  const schemas: Record<string, JsonSchema> = {};
  let stripe: Stripe;

  beforeAll(() => {
    for (const name of Object.keys(APP_READS)) schemas[name] = schemaOf(name, 2);
  }, 120_000);
  beforeEach(() => {
    resetStripeEmulator();
    configureStripeWebhooks({ deliver: recordingTransport().deliver });
    clock.set(TEST_NOW, { freeze: true });
    stripe = createStripe();
  });
  afterEach(() => {
    resetStripeEmulator();
    clock.reset();
  });

  const check = (name: string, value: unknown) =>
    expect(violations(schemas[name] as JsonSchema, value), name).toEqual([]);

  it("the SDK's spec version is the one the emulator was reviewed against", () => {
    const installed = readFileSync(path.join(process.cwd(), "node_modules/stripe/OPENAPI_VERSION"), "utf8").trim();
    expect(
      installed,
      "the stripe SDK moved: re-review the emulator against its types, then update REVIEWED_OPENAPI_VERSION",
    ).toBe(REVIEWED_OPENAPI_VERSION);
  });

  it("every field the app reads is one the spec always returns", () => {
    for (const [name, fields] of Object.entries(APP_READS)) {
      for (const field of fields) expect(schemas[name]?.required, `${name}.${field}`).toContain(field);
    }
  });

  it("a realistic flow returns spec-shaped sessions, intents, charges, refunds, events and lists", async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    check("Checkout.Session", session);
    const declined = payCheckoutSession(session.id, "4000000000000002");
    expect(declined.outcome).not.toBe("succeeded");
    expect(payCheckoutSession(session.id, "4242424242424242").outcome).toBe("succeeded");

    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    check("Checkout.Session", paid);
    const intent = await stripe.paymentIntents.retrieve(
      typeof paid.payment_intent === "string" ? paid.payment_intent : paid.payment_intent!.id,
      { expand: ["latest_charge"] },
    );
    check("PaymentIntent", intent);
    const charge = intent.latest_charge as Stripe.Charge;
    check("Charge", charge);
    check("Charge", await stripe.charges.retrieve(charge.id));

    const refund = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000, metadata: { refund_id: "r1" } },
      { idempotencyKey: "spec-refund" },
    );
    check("Refund", refund);
    check("Refund", await stripe.refunds.retrieve(refund.id));
    for (const listed of (await stripe.refunds.list({ payment_intent: intent.id })).data) check("Refund", listed);

    const other = await stripe.checkout.sessions.create(sessionParams());
    check("Checkout.Session", await stripe.checkout.sessions.expire(other.id));

    const events = (await stripe.events.list({ limit: 100 })).data;
    expect(events.length).toBeGreaterThan(3);
    expect(stripeEmulatorEvents().length).toBe(events.length);
    const byObject: Record<string, string> = {
      "checkout.session": "Checkout.Session",
      payment_intent: "PaymentIntent",
      charge: "Charge",
      refund: "Refund",
    };
    for (const event of events) {
      check("Event", event);
      const object = event.data.object as { object: string };
      const name = byObject[object.object];
      expect(name, `${event.type} carries a ${object.object}`).toBeDefined();
      check(name as string, object);
    }
  });

  it("errors have Stripe's error shape and the SDK maps them to its classes", async () => {
    const missing = await stripe.paymentIntents.retrieve("pi_missing").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing", type: "StripeInvalidRequestError" });
    const invalid = await stripe.checkout.sessions.create(sessionParams({ line_items: [] })).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ statusCode: 400, rawType: "invalid_request_error" });
  });
});
