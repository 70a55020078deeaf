"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { newIdempotencyKey, postJson, type Problem } from "@/components/booking/api-client";

export type AdminAction = "cancel" | "reschedule" | "refund" | "no-show" | "notify" | "accept-late-payment";

/**
 * Runs one staff action on a reservation through the admin API (same-origin fetch: the session cookie authenticates
 * it). Each confirmed submission gets a new Idempotency-Key, except a resubmission of the same action and body after
 * an answer was lost (network error, 5xx, still in flight): that reuses the key, so the server replays or finishes the
 * first attempt instead of refunding or sending twice. On success, and on a conflict or not-found (the reservation
 * changed under us), the page is refreshed so it shows the current state.
 */
export function useAdminAction(reservationId: string) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const last = useRef<{ key: string; signature: string; unanswered: boolean } | null>(null);

  async function run(action: AdminAction, body: object): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setProblem(null);
    const signature = `${action} ${JSON.stringify(body)}`;
    const previous = last.current;
    const key =
      previous && previous.unanswered && previous.signature === signature ? previous.key : newIdempotencyKey();
    const result = await postJson(`/api/admin/reservations/${encodeURIComponent(reservationId)}/${action}`, body, {
      "Idempotency-Key": key,
    });
    const unanswered =
      !result.ok &&
      (result.problem.status === 0 || result.problem.status >= 500 || result.problem.code === "idempotency_in_flight");
    last.current = { key, signature, unanswered };
    setBusy(false);
    if (result.ok) {
      router.refresh();
      return true;
    }
    setProblem(result.problem);
    if (result.problem.status === 409 || result.problem.status === 404) router.refresh();
    return false;
  }

  return { run, busy, problem, clearProblem: () => setProblem(null) };
}
