"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ProblemAlert, useProblemMessage } from "@/components/booking/problem-message";
import { Button } from "@/components/ui/button";
import { useDisclosureFocus } from "@/components/ui/use-disclosure-focus";
import { ConfirmButtons } from "./confirm-buttons";
import { useReservationAction } from "./use-reservation-action";

type Props = {
  id: string;
  code: string;
  token: string;
  deadlineHours: number;
  /** For a paid booking: what the cancellation refunds (the refund policy, said before the customer confirms). */
  refundNote?: string;
};

/** Cancel with a confirmation step; the confirm button gets focus so the keyboard path is two presses of Enter. */
export function CancelPanel({ id, code, token, deadlineHours, refundNote }: Props) {
  const t = useTranslations("manage");
  const problemMessage = useProblemMessage();
  const { run, busy, problem, clearProblem } = useReservationAction({ id, code, token });
  const [confirming, setConfirming] = useState(false);
  const { inside: confirmRef, opener: openRef } = useDisclosureFocus<HTMLButtonElement>(confirming);

  return (
    <section aria-labelledby="cancel-heading" className="rounded-2xl border border-stone-200 bg-white p-5">
      <h3 id="cancel-heading" className="font-semibold text-stone-900">
        {t("cancel")}
      </h3>
      {confirming ? (
        <div className="mt-3 rounded-xl bg-red-50 p-4">
          <p id="cancel-question" className="text-sm font-medium text-red-900">
            {t("cancelQuestion")}
          </p>
          {refundNote ? (
            <p className="mt-1 text-sm text-red-900" data-testid="cancel-refund-note">
              {refundNote}
            </p>
          ) : null}
          <ConfirmButtons
            questionId="cancel-question"
            busy={busy}
            confirmRef={confirmRef}
            confirmClassName="bg-red-700 hover:bg-red-800"
            confirmLabel={t("cancelConfirm")}
            onConfirm={() => void run("cancel", {})}
            backLabel={t("keep")}
            onBack={() => {
              clearProblem();
              setConfirming(false);
            }}
          />
        </div>
      ) : (
        <Button ref={openRef} type="button" variant="secondary" className="mt-3" onClick={() => setConfirming(true)}>
          {t("cancel")}
        </Button>
      )}
      {problem ? (
        <ProblemAlert message={problemMessage(problem, { deadlineHours })} requestId={problem.requestId} />
      ) : null}
    </section>
  );
}
