import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { Problem } from "./api-client";
import { isOneOf } from "@/lib/one-of";
import { Notice } from "./notice";

const KNOWN = [
  "sold_out",
  "slot_closed",
  "slot_in_past",
  "slot_not_found",
  "validation_failed",
  "invalid_state",
  "reservation_not_found",
  "rate_limited",
  "idempotency_in_flight",
  "idempotency_mismatch",
  "network",
  "hold_expired",
  "already_paid",
  "payment_not_required",
  "dependency_unavailable",
] as const;

type Policy = { maxSeats?: number; deadlineHours?: number; context?: "book" | "reschedule" };

/** Turns a problem+json code into a sentence that says what happened and what to do next. */
export function useProblemMessage(): (problem: Problem, policy?: Policy) => string {
  const t = useTranslations("problem");
  return (problem, policy = {}) => {
    const code = problem.code === "unauthorized" ? "reservation_not_found" : problem.code;
    if (code === "sold_out" && policy.context === "reschedule") return t("sold_out_reschedule");
    if (code === "quantity_invalid") return t("quantity_invalid", { max: policy.maxSeats ?? 10 });
    if (code === "cancellation_window_closed")
      return t("cancellation_window_closed", { hours: policy.deadlineHours ?? 24 });
    if (code === "too_many_holds")
      return t("too_many_holds", { minutes: Math.max(1, Math.ceil((problem.retryAfterSeconds ?? 60) / 60)) });
    if (code === "rate_limited" && problem.retryAfterSeconds && problem.retryAfterSeconds > 60) {
      return t("rate_limited_wait", { minutes: Math.ceil(problem.retryAfterSeconds / 60) });
    }
    if (isOneOf(KNOWN, code)) return t(code);
    return t("generic");
  };
}

/** The alert shown for a failed request, with the request id to quote when contacting the business. */
export function ProblemAlert({
  message,
  requestId,
  children,
}: {
  message: string;
  requestId?: string;
  children?: ReactNode;
}) {
  const t = useTranslations("common");
  return (
    <Notice tone="error" role="alert" className="mt-4">
      <p>{message}</p>
      {children}
      {requestId ? <p className="mt-1 text-xs opacity-80">{t("reference", { id: requestId })}</p> : null}
    </Notice>
  );
}
