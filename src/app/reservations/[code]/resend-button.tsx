"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { postJson } from "@/components/booking/api-client";
import { ProblemAlert, useProblemMessage } from "@/components/booking/problem-message";
import { Button } from "@/components/ui/button";

/** "Resend my confirmation": the server allows 3 an hour per booking and says when to try again. */
export function ResendConfirmation({ id, token, email }: { id: string; token: string; email: string }) {
  const t = useTranslations("manage");
  const problemMessage = useProblemMessage();
  const [state, setState] = useState<
    { kind: "idle" | "busy" | "sent" } | { kind: "problem"; message: string; requestId?: string }
  >({ kind: "idle" });

  async function resend() {
    setState({ kind: "busy" });
    const result = await postJson(
      `/api/reservations/${encodeURIComponent(id)}/resend-confirmation?${new URLSearchParams({ token })}`,
      {},
    );
    if (result.ok) setState({ kind: "sent" });
    else setState({ kind: "problem", message: problemMessage(result.problem), requestId: result.problem.requestId });
  }

  return (
    <div className="mt-4">
      <Button
        type="button"
        variant="secondary"
        onClick={resend}
        disabled={state.kind === "busy"}
        data-testid="resend-confirmation"
      >
        {t("resend")}
      </Button>
      {state.kind === "sent" ? (
        <p role="status" className="mt-2 text-sm text-brand-800">
          {t("resendDone", { email })}
        </p>
      ) : null}
      {state.kind === "problem" ? <ProblemAlert message={state.message} requestId={state.requestId} /> : null}
    </div>
  );
}
