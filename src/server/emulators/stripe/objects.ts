// Long on purpose: builders for each Stripe object the emulator returns, typed with the SDK's own
// interfaces; most lines are the objects' field lists.
import { randomInt } from "node:crypto";
import type Stripe from "stripe";
import { appBaseUrl } from "@/lib/env";
import { newId, nowSeconds } from "./state";

/**
 * Builders for the API objects the emulator returns. Each is typed with the SDK's own interface, so a field the
 * real object has and the emulator forgot is a type error, not a surprise in production. Fields the app never
 * uses carry the value Stripe sends when the feature is off (null, false, [] or the documented default).
 */

export type CheckoutSessionInput = {
  amountTotal: number;
  currency: string;
  expiresAt: number;
  successUrl: string;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  customerEmail: string | null;
  locale: Stripe.Checkout.Session.Locale | null;
  metadata: Stripe.Metadata;
};

/**
 * The account's default payment method configuration: a session created without payment_method_types uses it
 * (dynamic payment methods) and names it in payment_method_configuration_details. One per emulated account.
 */
const DEFAULT_PAYMENT_METHOD_CONFIGURATION = newId("pmc", 18);

export function checkoutSessionObject(input: CheckoutSessionInput): Stripe.Checkout.Session {
  const id = newId("cs_test", 40);
  return {
    id,
    object: "checkout.session",
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: input.amountTotal,
    amount_total: input.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: nowSeconds(),
    currency: input.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: null,
    customer_account: null,
    customer_creation: "if_required",
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: {
      enabled: false,
      invoice_data: {
        account_tax_ids: null,
        custom_fields: null,
        description: null,
        footer: null,
        issuer: null,
        metadata: {},
        rendering_options: null,
      },
    },
    livemode: false,
    locale: input.locale,
    managed_payments: null,
    metadata: input.metadata,
    mode: "payment",
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: "if_required",
    payment_method_configuration_details: { id: DEFAULT_PAYMENT_METHOD_CONFIGURATION, parent: null },
    payment_method_options: { card: { request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    payment_status: "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: input.successUrl,
    tax_id_collection: { enabled: false, required: "never" },
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted_page",
    // The sandbox page stands in for Stripe's hosted Checkout page.
    url: `${appBaseUrl()}/dev/checkout/${id}`,
    wallet_options: null,
  };
}

export function paymentIntentObject(input: {
  amount: number;
  currency: string;
  metadata: Stripe.Metadata;
  description: string | null;
}): Stripe.PaymentIntent {
  const id = newId("pi", 18);
  return {
    id,
    object: "payment_intent",
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${newId("x", 12).slice(2)}`,
    confirmation_method: "automatic",
    created: nowSeconds(),
    currency: input.currency,
    customer: null,
    customer_account: null,
    description: input.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
    },
    payment_method_types: ["card"],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
}

/** The card as the charge records it (last four digits, expiry, per-card fingerprint); never the full number. */
export type CardSummary = { last4: string; expMonth: number; expYear: number; fingerprint: string };

/** What the hosted page collects besides the card: email, cardholder name, billing country. */
export type BillingInput = { email: string | null; name: string | null; country: string };

function billingDetails(billing: BillingInput): Stripe.Charge.BillingDetails {
  return {
    address: { city: null, country: billing.country, line1: null, line2: null, postal_code: null, state: null },
    email: billing.email,
    name: billing.name,
    phone: null,
    tax_id: null,
  };
}

/** The card PaymentMethod Checkout creates for a payment attempt (a decline's last_payment_error shows it whole). */
export function paymentMethodObject(input: {
  id: string;
  card: CardSummary;
  billing: BillingInput;
}): Stripe.PaymentMethod {
  return {
    id: input.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: billingDetails(input.billing),
    card: {
      brand: "visa",
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: "visa",
      exp_month: input.card.expMonth,
      exp_year: input.card.expYear,
      fingerprint: input.card.fingerprint,
      funding: "credit",
      generated_from: null,
      last4: input.card.last4,
      networks: { available: ["visa"], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "card",
  };
}

export type ChargeOutcome =
  | { kind: "succeeded" }
  | { kind: "failed"; code: string; declineCode: string | null; message: string; sellerMessage: string };

export function chargeObject(input: {
  paymentIntent: Stripe.PaymentIntent;
  paymentMethodId: string;
  card: CardSummary;
  billing: BillingInput;
  outcome: ChargeOutcome;
}): Stripe.Charge {
  const { paymentIntent: pi, outcome } = input;
  const succeeded = outcome.kind === "succeeded";
  const id = newId("ch", 18);
  return {
    id,
    object: "charge",
    amount: pi.amount,
    amount_captured: succeeded ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: succeeded ? newId("txn", 18) : null,
    billing_details: billingDetails(input.billing),
    calculated_statement_descriptor: "SLOTBOOK",
    captured: succeeded,
    created: nowSeconds(),
    currency: pi.currency,
    customer: null,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: succeeded ? null : outcome.code,
    failure_message: succeeded ? null : outcome.message,
    fraud_details: {},
    livemode: false,
    // A charge made through a PaymentIntent carries the intent's metadata.
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: succeeded
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: "approved_by_network",
          reason: null,
          risk_level: "normal",
          risk_score: 12,
          seller_message: "Payment complete.",
          type: "authorized",
        }
      : {
          advice_code: outcome.code === "expired_card" ? "do_not_try_again" : "try_again_later",
          network_advice_code: null,
          network_decline_code: null,
          network_status: "declined_by_network",
          reason: outcome.declineCode ?? outcome.code,
          risk_level: "normal",
          risk_score: 12,
          seller_message: outcome.sellerMessage,
          type: "issuer_declined",
        },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: input.paymentMethodId,
    payment_method_details: {
      type: "card",
      card: {
        amount_authorized: succeeded ? pi.amount : null,
        authorization_code: succeeded ? String(randomInt(100_000, 1_000_000)) : null,
        brand: "visa",
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        electronic_commerce_indicator: null,
        exp_month: input.card.expMonth,
        exp_year: input.card.expYear,
        extended_authorization: { status: "disabled" },
        fingerprint: input.card.fingerprint,
        funding: "credit",
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: input.card.last4,
        mandate: null,
        multicapture: { status: "unavailable" },
        network: "visa",
        network_token: { used: false },
        network_transaction_id: succeeded
          ? String(randomInt(100_000_000, 1_000_000_000)) + String(randomInt(100_000, 1_000_000))
          : null,
        overcapture: { maximum_amount_capturable: pi.amount, status: "unavailable" },
        regulated_status: "unregulated",
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: succeeded ? `https://pay.stripe.com/receipts/payment/${id}` : null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: succeeded ? "succeeded" : "failed",
    transfer_data: null,
    transfer_group: null,
  };
}

export function refundObject(input: {
  charge: Stripe.Charge;
  amount: number;
  reason: Stripe.Refund.Reason | null;
  metadata: Stripe.Metadata;
}): Stripe.Refund {
  const { charge } = input;
  return {
    id: newId("re", 18),
    object: "refund",
    amount: input.amount,
    balance_transaction: newId("txn", 18),
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    customer: null,
    customer_account: null,
    // A card refund's acquirer reference number arrives after the refund itself (then refund.updated is sent).
    destination_details: {
      type: "card",
      card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" },
    },
    metadata: input.metadata,
    payment_intent:
      typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    payment_method: charge.payment_method,
    reason: input.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  };
}
