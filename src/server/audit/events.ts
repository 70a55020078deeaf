import "server-only";
import { logger } from "@/lib/logger";

/**
 * The domain events: every state change of a reservation, a payment (refunds included) and a notification that
 * writes an audit row is also ONE log line, `event` = the audit action, logged once its transaction committed
 * (never for a change that rolled back), with the request id that caused it. LOGS.md lists this catalogue in its
 * "Domain events" table; src/docs.test.ts fails when the two disagree, or when code writes an audit action under
 * `reservation.` / `payment.` / `notification.` that is not here. Sends, retries and failures of a notification
 * have their own lines (`email.sent`, `notification.failed`, …; LOGS.md).
 */
export const domainEvents = [
  "reservation.held",
  "reservation.confirmed",
  "reservation.cancelled",
  "reservation.expired",
  "reservation.rescheduled",
  "reservation.no_show",
  "reservation.late_payment_accepted",
  "reservation.late_payment_reacquired",
  "reservation.late_payment_refunded",
  "payment.checkout_started",
  "payment.succeeded",
  "payment.failed",
  "payment.checkout_abandoned",
  "payment.checkout_failed",
  "payment.superseded",
  "payment.hold_ended",
  "payment.session_expired",
  "payment.refund_requested",
  "payment.refund_succeeded",
  "payment.refund_failed",
  "payment.refund_cancelled",
  "payment.refund_recorded_from_gateway",
  "notification.queued",
  "notification.resent",
  "notification.staff_message",
  "notification.bounced",
] as const;

export type DomainEvent = (typeof domainEvents)[number];

const catalogue = new Set<string>(domainEvents);

export function isDomainEvent(action: string): action is DomainEvent {
  return catalogue.has(action);
}

/** The one line of a committed state change. The object is built here so every domain event has the same shape. */
export function logDomainEvent(
  event: DomainEvent,
  fields: { entityType: string; entityId: string; actor?: string; requestId?: string | null } & Record<string, unknown>,
): void {
  const line = { event, ...fields, requestId: fields.requestId ?? undefined };
  logger.info(line, event);
}
