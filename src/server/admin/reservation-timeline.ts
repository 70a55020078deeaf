/**
 * One chronological story of a reservation for the staff detail page: audit rows (who did what, with reason, request
 * id and IP), payment attempts, refunds, notifications (with delivery status, attempts and last error) and the
 * gateway's webhook events, merged by time. Pure, so the ordering rule is tested on its own
 * (reservation-timeline.test.ts).
 */

import type { NotificationListRow } from "./notifications-log";
import type { WebhookListRow } from "./webhook-inbox";

export type AuditEntry = {
  source: "audit";
  at: string;
  id: string;
  action: string;
  entity: { type: string; id: string };
  actor: { id: string | null; role: string };
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
};

export type PaymentEntry = {
  source: "payment";
  at: string;
  id: string;
  /** `started`: the checkout attempt was created; `paid`: the money arrived (paid_at). */
  event: "started" | "paid";
  attempt: number;
  status: string;
  amount: number;
  currency: string;
  outcome: string | null;
  latePayment: boolean;
};

export type RefundEntry = {
  source: "refund";
  at: string;
  id: string;
  amount: number;
  currency: string;
  status: string;
  reason: string;
  lastError: string | null;
};

/** A notification as the notifications log lists it, placed on the timeline at its creation. */
export type NotificationEntry = { source: "notification"; at: string } & Omit<
  NotificationListRow,
  "reservation" | "createdAt"
>;

/** A gateway event as the webhook inbox lists it, placed on the timeline at its arrival. */
export type WebhookEntry = { source: "webhook"; at: string } & Omit<
  WebhookListRow,
  "provider" | "receivedAt" | "processedAt"
>;

export type TimelineEntry = AuditEntry | PaymentEntry | RefundEntry | NotificationEntry | WebhookEntry;

/**
 * When two things happened in the same instant (one transaction writes the change, its audit row and its outbox row
 * with one clock reading), the cause comes first: the webhook that brought the news, then the payment or refund
 * row, then the audit row saying what was decided, then the message it queued.
 */
const RANK: Record<TimelineEntry["source"], number> = { webhook: 0, payment: 1, refund: 2, audit: 3, notification: 4 };

/** Oldest first. Each input list is in its own natural order, which breaks the remaining ties. */
export function mergeTimeline(sources: TimelineEntry[][]): TimelineEntry[] {
  const indexed = sources.flatMap((list) => list.map((entry, index) => ({ entry, index, time: Date.parse(entry.at) })));
  indexed.sort((a, b) => a.time - b.time || RANK[a.entry.source] - RANK[b.entry.source] || a.index - b.index);
  return indexed.map((i) => i.entry);
}
