"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { postJson, type Problem } from "@/components/booking/api-client";

/**
 * Runs one customer action on a reservation (cancel, reschedule) with the manage token, and on success reloads the
 * page with `done=<action>` so the result message survives the re-render (the action panels disappear once a
 * reservation is cancelled).
 */
export function useReservationAction(input: { id: string; code: string; token: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function run(action: "cancel" | "reschedule", body: Record<string, unknown>): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setProblem(null);
    const query = new URLSearchParams({ token: input.token }).toString();
    const result = await postJson(`/api/reservations/${encodeURIComponent(input.id)}/${action}?${query}`, body);
    if (result.ok) {
      const done = new URLSearchParams({ token: input.token, done: action === "cancel" ? "cancelled" : "rescheduled" });
      router.replace(`/reservations/${encodeURIComponent(input.code)}?${done.toString()}`);
      return true;
    }
    setProblem(result.problem);
    setBusy(false);
    // Availability or state may have changed under us: show the current truth next to the message.
    router.refresh();
    return false;
  }

  return { run, busy, problem, clearProblem: () => setProblem(null) };
}
