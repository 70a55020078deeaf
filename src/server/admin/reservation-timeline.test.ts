import { describe, expect, it } from "vitest";
import {
  mergeTimeline,
  type AuditEntry,
  type NotificationEntry,
  type PaymentEntry,
  type TimelineEntry,
  type WebhookEntry,
} from "./reservation-timeline";

const audit = (at: string, action: string): AuditEntry => ({
  source: "audit",
  at,
  id: action,
  action,
  entity: { type: "reservation", id: "r" },
  actor: { id: null, role: "system:test" },
  reason: null,
  requestId: null,
  ip: null,
  before: null,
  after: null,
});
const payment = (at: string, event: "started" | "paid"): PaymentEntry => ({
  source: "payment",
  at,
  id: "p",
  event,
  attempt: 1,
  status: "succeeded",
  amount: 1000,
  currency: "JPY",
  outcome: null,
  latePayment: false,
});
const mail = (at: string, kind: string): NotificationEntry => ({
  source: "notification",
  at,
  id: kind,
  kind,
  channel: "email",
  status: "sent",
  recipient: "a@example.com",
  attempts: 1,
  lastError: null,
  sentAt: null,
});
const webhook = (at: string, type: string): WebhookEntry => ({
  source: "webhook",
  at,
  id: type,
  eventId: type,
  type,
  status: "processed",
  outcome: null,
  attempts: 1,
  lastError: null,
});

const names = (entries: TimelineEntry[]) => entries.map((e) => e.id + (e.source === "payment" ? `:${e.event}` : ""));

describe("mergeTimeline", () => {
  it("orders by time across sources, oldest first", () => {
    const merged = mergeTimeline([
      [audit("2030-01-07T00:00:03Z", "reservation.confirmed"), audit("2030-01-07T00:00:00Z", "reservation.held")],
      [payment("2030-01-07T00:00:01Z", "started")],
      [mail("2030-01-07T00:00:04Z", "confirmed")],
      [webhook("2030-01-07T00:00:02Z", "checkout.session.completed")],
    ]);
    expect(names(merged)).toEqual([
      "reservation.held",
      "p:started",
      "checkout.session.completed",
      "reservation.confirmed",
      "confirmed",
    ]);
  });

  it("puts the cause first within one instant: webhook, payment, refund, audit, notification", () => {
    const t = "2030-01-07T00:00:00.000Z";
    const merged = mergeTimeline([
      [mail(t, "confirmed")],
      [audit(t, "reservation.confirmed")],
      [payment(t, "paid")],
      [webhook(t, "payment_intent.succeeded")],
    ]);
    expect(names(merged)).toEqual(["payment_intent.succeeded", "p:paid", "reservation.confirmed", "confirmed"]);
  });

  it("keeps each source's own order for equal times and kinds", () => {
    const t = "2030-01-07T00:00:00.000Z";
    expect(names(mergeTimeline([[audit(t, "a"), audit(t, "b"), audit(t, "c")]]))).toEqual(["a", "b", "c"]);
    expect(mergeTimeline([])).toEqual([]);
  });
});
