"use client";

import type { Problem } from "@/components/booking/api-client";
import { ProblemAlert } from "@/components/booking/problem-message";
import { useSlotProblem, type ProblemContext } from "./use-slot-problem";

/** A failed slot or rule request as an alert for staff (nothing when there is no problem). */
export function SlotProblemAlert({ problem, ...context }: { problem: Problem | null } & ProblemContext) {
  const problemText = useSlotProblem();
  if (!problem) return null;
  return <ProblemAlert message={problemText(problem, context)} requestId={problem.requestId} />;
}
