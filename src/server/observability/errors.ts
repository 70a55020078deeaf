import "server-only";
import * as Sentry from "@sentry/nextjs";
import { currentRequestId } from "@/lib/correlation";
import { getModes } from "@/lib/env";
import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/process-global";
import { hashUserId } from "./user-hash";

/**
 * The one place unexpected errors are reported: a structured log line (`error.reported`) and, when error tracking is
 * on, one Sentry event carrying the request's tags. The calls are identical in every mode: with ERROR_TRACKING=off the
 * SDK was never initialised and its capture is a no-op, so only the log line is written (docs/observability.md).
 *
 * Reported here: 5xx in routes (src/server/http/route.ts, which also covers jobs run by their cron route), jobs run by
 * the in-process scheduler (src/server/jobs/scheduler.ts), webhook handler failures (src/server/payments/webhook.ts)
 * and staff alerts (reportStaffAlert, from src/server/payments/alerts.ts). Expected 4xx never get here.
 */
export type ErrorContext = {
  requestId?: string;
  route?: string;
  job?: string;
  /** The Stripe event type whose handler failed. */
  webhook?: string;
  /** The signed-in user, if any: only an opaque hash of the id and the role reach Sentry (never the log line). */
  user?: { id: string; role?: string };
};

/**
 * Errors already reported, so one failure is one event although several layers see it: a failing webhook handler is
 * reported where it fails and then reaches the route wrapper (wrapped in an AppError whose cause it is). One set per
 * process (route bundles each load this module), held weakly.
 */
const reportedSet = processSingleton("reported-errors", () => new WeakSet<object>());

function alreadyReported(error: unknown): boolean {
  const reported = reportedSet();
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if (reported.has(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function reportError(error: unknown, context: ErrorContext = {}): void {
  if (alreadyReported(error)) return;
  if (typeof error === "object" && error !== null) reportedSet().add(error);
  // The id of the request or job run this happens in, when the caller did not name one (src/lib/correlation.ts).
  const requestId = context.requestId ?? currentRequestId();
  const { user, ...fields } = { ...context, ...(requestId ? { requestId } : {}) };
  logger.error({ event: "error.reported", errorTracking: currentMode(), err: error, ...fields }, "unexpected error");
  Sentry.withScope((scope) => {
    scope.setTags({
      ...(requestId ? { request_id: requestId } : {}),
      ...(context.route ? { route: context.route } : {}),
      ...(context.job ? { job: context.job } : {}),
      ...(context.webhook ? { webhook: context.webhook } : {}),
    });
    if (user) scope.setUser({ id: hashUserId(user.id), ...(user.role ? { role: user.role } : {}) });
    Sentry.captureException(error);
  });
}

/**
 * A staff alert (late payment, failed refund, drift) as one warning-level Sentry event; the alert's own log line
 * (`staff.alert`) and audit row are written by alertStaff. The kind is the message, so alerts of a kind group together.
 */
export function reportStaffAlert(kind: string, context: { requestId?: string; reservationId?: string } = {}): void {
  const requestId = context.requestId ?? currentRequestId();
  Sentry.withScope((scope) => {
    scope.setTags({
      alert: kind,
      ...(requestId ? { request_id: requestId } : {}),
      ...(context.reservationId ? { reservation_id: context.reservationId } : {}),
    });
    Sentry.captureMessage(`staff alert: ${kind}`, "warning");
  });
}

function currentMode(): string {
  try {
    return getModes().errorTracking;
  } catch {
    return "off";
  }
}
