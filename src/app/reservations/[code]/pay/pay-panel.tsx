"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { postJson } from "@/components/booking/api-client";
import { ProblemAlert, useProblemMessage } from "@/components/booking/problem-message";
import { Button } from "@/components/ui/button";

type Props = {
  reservationId: string;
  token: string;
  amountLabel: string;
};

type CheckoutResponse = { checkout: { url: string; sessionId: string; expiresAt: string } };

/**
 * Starts checkout and sends the customer to the payment page. One Idempotency-Key per click: a double click or a
 * retry of the same click gets the same session.
 */
export function PayButton({ reservationId, token, amountLabel }: Props) {
  const t = useTranslations("pay");
  const problemMessage = useProblemMessage();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; requestId?: string } | null>(null);
  const key = useRef<string | null>(null);

  async function pay() {
    setBusy(true);
    setProblem(null);
    key.current ??= crypto.randomUUID();
    const result = await postJson<CheckoutResponse>(
      `/api/reservations/${reservationId}/checkout?token=${encodeURIComponent(token)}`,
      {},
      { "Idempotency-Key": key.current },
    );
    if (result.ok) {
      window.location.assign(result.data.checkout.url);
      return;
    }
    key.current = null;
    setBusy(false);
    setProblem({ message: problemMessage(result.problem), requestId: result.problem.requestId });
  }

  return (
    <div>
      <Button type="button" onClick={pay} disabled={busy} data-testid="pay-button" className="w-full sm:w-auto">
        {busy ? t("starting") : t("payButton", { amount: amountLabel })}
      </Button>
      {problem ? <ProblemAlert message={problem.message} requestId={problem.requestId} /> : null}
    </div>
  );
}

/** After returning from a paid checkout: re-read until the webhook has confirmed the reservation (or 60 s passed). */
export function AwaitConfirmation() {
  const router = useRouter();
  useEffect(() => {
    let checks = 0;
    const timer = setInterval(() => {
      checks += 1;
      if (checks > 30) clearInterval(timer);
      router.refresh();
    }, 2000);
    return () => clearInterval(timer);
  }, [router]);
  return null;
}
