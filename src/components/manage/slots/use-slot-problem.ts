"use client";

import { useTranslations } from "next-intl";
import type { Problem } from "@/components/booking/api-client";
import { isOneOf } from "@/lib/one-of";

const PLAIN = [
  "validation_failed",
  "invalid_state",
  "not_found",
  "slot_not_found",
  "unauthorized",
  "forbidden",
  "network",
  "payload_too_large",
  "unsupported_media_type",
  "dependency_unavailable",
] as const;

export type ProblemContext = { subject?: "slot" | "rule" | "import"; reserved?: number };

/** A problem+json code as a sentence for staff: what happened and what to do next. */
export function useSlotProblem(): (problem: Problem, context?: ProblemContext) => string {
  const t = useTranslations("manageSlots.errors");
  return (problem, context = {}) => {
    if (problem.code === "capacity_below_reserved")
      return t("capacity_below_reserved", { reserved: context.reserved ?? 0 });
    if (problem.code === "conflict") return t(`conflict_${context.subject ?? "slot"}`);
    if (isOneOf(PLAIN, problem.code)) return t(problem.code);
    return t("generic");
  };
}
