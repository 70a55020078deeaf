import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * The customer's change window: cancel or reschedule online until CANCELLATION_DEADLINE_HOURS before the start.
 * Staff are not bound by it. One rule for the domain verbs and for the manage page that offers the actions.
 */
export function customerMayChange(startsAt: Date, now: Date): boolean {
  return startsAt.getTime() - getEnv().CANCELLATION_DEADLINE_HOURS * 3_600_000 > now.getTime();
}

export function assertCustomerMayChange(startsAt: Date, now: Date, action: "cancellation" | "changes"): void {
  if (customerMayChange(startsAt, now)) return;
  const hours = getEnv().CANCELLATION_DEADLINE_HOURS;
  const what = action === "cancellation" ? "Online cancellation closes" : "Online changes close";
  throw new AppError("cancellation_window_closed", `${what} ${hours} hours before the start. Please contact us.`);
}

/**
 * What may still happen to a reservation in a given state. The domain verbs refuse anything else, and the staff
 * screen offers exactly what these allow, so the two cannot disagree.
 */
export function isActive(status: string): boolean {
  return status === "held" || status === "confirmed";
}

/** A no-show is recorded for a confirmed booking once its slot has started. */
export function mayMarkNoShow(status: string, startsAt: Date, now: Date): boolean {
  return status === "confirmed" && startsAt <= now;
}

/** Staff may accept money that arrived after the hold ended while the reservation is expired and the money kept. */
export function mayAcceptLatePayment(status: string, payment: { latePayment: boolean; status: string }): boolean {
  return status === "expired" && payment.latePayment && payment.status === "succeeded";
}
