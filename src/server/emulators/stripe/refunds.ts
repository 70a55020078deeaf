import type Stripe from "stripe";
import { formatMoney } from "@/lib/money";
import { invalidParam, noSuch } from "./errors";
import { emitEvent, type RequestContext } from "./events";
import { refundObject } from "./objects";
import { metadataParam, optionalInteger, optionalString, type Params } from "./params";
import { newId, objects } from "./state";
import { processSlot } from "@/lib/process-global";

/**
 * POST /v1/refunds, GET /v1/refunds/:id and GET /v1/refunds?payment_intent=…, with the checks and messages of the
 * real API. Refunds succeed at once unless a test asks for the next ones to stay `pending` (as Stripe's can, e.g.
 * `pending_reason: processing`) and settles them later with settlePendingRefund().
 */

const REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;

export function createRefund(params: Params, request: RequestContext): Stripe.Refund {
  const charge = refundableCharge(params);
  const remaining = charge.amount - charge.amount_refunded;
  if (charge.refunded || remaining <= 0) {
    throw invalidParam(undefined, `Charge ${charge.id} has already been refunded.`, "charge_already_refunded");
  }
  const requested = optionalInteger(params, "amount");
  if (requested !== null && requested < 1) throw invalidParam("amount", "Invalid positive integer");
  const amount = requested ?? remaining;
  if (amount > remaining) {
    const money = (value: number) => formatMoney({ amount: value, currency: charge.currency }, "en");
    throw invalidParam(
      "amount",
      `Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`,
    );
  }
  const reason = optionalString(params, "reason");
  if (reason !== null && !(REASONS as readonly string[]).includes(reason)) {
    throw invalidParam("reason", `Invalid reason: must be one of ${REASONS.join(", ")}`);
  }

  const refund = refundObject({
    charge,
    amount,
    reason: reason as Stripe.Refund.Reason | null,
    metadata: metadataParam(params, "metadata"),
  });
  objects().refunds.set(refund.id, refund);
  if (pendingControl().remaining > 0) {
    pendingControl().remaining--;
    refund.status = "pending";
    refund.pending_reason = "processing";
    // Stripe counts a pending refund in the charge's amount_refunded; a failure gives it back.
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    emitEvent("charge.refunded", charge, { request });
    emitEvent("refund.created", refund, { request });
    return refund;
  }
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  emitEvent("charge.refunded", charge, {
    request,
    previousAttributes:
      charge.refunded === previous.refunded ? { amount_refunded: previous.amount_refunded } : previous,
  });
  emitEvent("refund.created", refund, { request });

  // The card network's reference arrives after the refund; Stripe reports it with refund.updated.
  const previousDestination = structuredClone(refund.destination_details);
  refund.destination_details = {
    type: "card",
    card: {
      reference: newId("arn", 9).slice(4),
      reference_status: "available",
      reference_type: "acquirer_reference_number",
      type: "refund",
    },
  };
  emitEvent("refund.updated", refund, { request, previousAttributes: { destination_details: previousDestination } });
  return refund;
}

/** Tests only: the next `count` refunds are created `pending` instead of succeeding at once. */
export function holdNextRefunds(count: number): void {
  pendingControl().remaining = count;
}

/** Tests only: a pending refund succeeds or fails, with the refund.updated (and charge) events Stripe sends. */
export function settlePendingRefund(id: string, outcome: "succeeded" | "failed"): Stripe.Refund {
  const refund = retrieveRefund(id);
  if (refund.status !== "pending") throw invalidParam(undefined, `Refund ${id} is not pending.`);
  const previous = { status: refund.status };
  refund.status = outcome;
  delete refund.pending_reason;
  if (outcome === "failed") {
    refund.failure_reason = "lost_or_stolen_card";
    const chargeId = typeof refund.charge === "string" ? refund.charge : refund.charge?.id;
    const charge = chargeId ? objects().charges.get(chargeId) : undefined;
    if (charge) {
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
    }
  }
  emitEvent("refund.updated", refund, { previousAttributes: previous });
  return refund;
}

export function listRefunds(params: Params): Stripe.ApiList<Stripe.Refund> {
  const piId = optionalString(params, "payment_intent");
  const data = [...objects().refunds.values()]
    .filter((r) => piId === null || r.payment_intent === piId)
    .sort((a, b) => b.created - a.created);
  return { object: "list", data: structuredClone(data), has_more: false, url: "/v1/refunds" };
}

const pendingStore = processSlot<{ remaining: number }>("stripeEmulator.pendingRefunds");
function pendingControl(): { remaining: number } {
  return pendingStore.ensure(() => ({ remaining: 0 }));
}

/** Part of resetStripeEmulator(). */
export function resetRefundControls(): void {
  pendingStore.set({ remaining: 0 });
}

export function retrieveRefund(id: string): Stripe.Refund {
  const refund = objects().refunds.get(id);
  if (!refund) throw noSuch("refund", id, "id");
  return refund;
}

/** The charge a refund applies to, named by payment_intent (as the gateway does) or by charge. */
function refundableCharge(params: Params): Stripe.Charge {
  const piId = optionalString(params, "payment_intent");
  const chargeId = optionalString(params, "charge");
  if (piId && chargeId)
    throw invalidParam("charge", "You may only specify one of these parameters: charge, payment_intent.");
  if (chargeId) {
    const charge = objects().charges.get(chargeId);
    if (!charge) throw noSuch("charge", chargeId, "charge", 400);
    if (charge.status !== "succeeded") {
      throw invalidParam("charge", `Charge ${charge.id} has not succeeded and cannot be refunded.`);
    }
    return charge;
  }
  if (!piId) {
    throw invalidParam(
      undefined,
      "One of the following params should be provided for this request: payment_intent or charge.",
    );
  }
  const pi = objects().paymentIntents.get(piId);
  if (!pi) throw noSuch("payment_intent", piId, "payment_intent", 400);
  const latest = typeof pi.latest_charge === "string" ? objects().charges.get(pi.latest_charge) : undefined;
  if (pi.status !== "succeeded" || !latest || latest.status !== "succeeded") {
    throw invalidParam("payment_intent", `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`);
  }
  return latest;
}
