"use client";

import { useTranslations } from "next-intl";
import type { Problem } from "@/components/booking/api-client";
import { ProblemAlert } from "@/components/booking/problem-message";
import { isOneOf } from "@/lib/one-of";

const KNOWN = [
  "unauthorized",
  "forbidden",
  "validation_failed",
  "invalid_state",
  "reservation_not_found",
  "not_found",
  "slot_not_found",
  "sold_out",
  "slot_closed",
  "slot_in_past",
  "refund_exceeds_captured",
  "idempotency_in_flight",
  "idempotency_mismatch",
  "rate_limited",
  "network",
  "dependency_unavailable",
] as const;

/**
 * A failed staff action: what happened in the staff member's language, the server's own sentence (it names the
 * limit, e.g. how much can still be refunded) and the request id to look up in the logs.
 */
export function ActionProblem({ problem }: { problem: Problem }) {
  const t = useTranslations("manageReservations.problems");
  const message = isOneOf(KNOWN, problem.code) ? t(problem.code) : t("generic");
  return (
    <ProblemAlert message={message} requestId={problem.requestId}>
      {problem.detail ? <p className="mt-1 text-xs">{t("detail", { detail: problem.detail })}</p> : null}
    </ProblemAlert>
  );
}
