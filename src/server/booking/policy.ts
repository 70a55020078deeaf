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
