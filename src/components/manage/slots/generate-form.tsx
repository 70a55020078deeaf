"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { MAX_GENERATE_DAYS as MAX_DAYS } from "@/lib/schemas/admin-slots";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import { SlotProblemAlert } from "./slot-problem-alert";

/** "Generate now": slots from the active rules for the next N days; shows how many were new. Safe to repeat. */
export function GenerateForm({ services }: { services: { id: string; name: string }[] }) {
  const t = useTranslations("manageSlots.generate");
  const router = useRouter();
  const [days, setDays] = useState("30");
  const [serviceId, setServiceId] = useState("");
  const [daysError, setDaysError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [outcome, setOutcome] = useState<{ created: number; considered: number }>();
  const serviceLabel = services.find((s) => s.id === serviceId)?.name ?? t("allServices");

  const submit = async (reason: string) => {
    setBusy(true);
    setProblem(null);
    const result = await sendJson<{ created: number; considered: number }>("POST", "/api/admin/slot-rules/generate", {
      days: Number(days),
      ...(serviceId ? { serviceId } : {}),
      reason,
    });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setOutcome(result.data);
    setConfirming(false);
    router.refresh();
  };

  if (confirming) {
    return (
      <ReasonConfirm
        title={t("confirmTitle")}
        confirmLabel={t("confirmButton")}
        busy={busy}
        problem={<SlotProblemAlert problem={problem} subject="rule" />}
        onConfirm={submit}
        onBack={() => setConfirming(false)}
      >
        <p>{t("confirmSummary", { days: Number(days), service: serviceLabel })}</p>
      </ReasonConfirm>
    );
  }
  return (
    <form
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(days);
        if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) {
          setDaysError(t("daysInvalid", { max: MAX_DAYS }));
          return;
        }
        setDaysError(undefined);
        setOutcome(undefined);
        setConfirming(true);
      }}
    >
      {outcome ? (
        <Notice tone="success" role="status" data-testid="generate-outcome">
          {t("outcome", { created: outcome.created, existing: outcome.considered - outcome.created })}
        </Notice>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="generate-days" label={t("days")} hint={t("daysHint")} error={daysError}>
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_DAYS}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            className={`${inputClasses} w-32`}
          />
        </FormField>
        <FormField id="generate-service" label={t("service")} optional>
          <select value={serviceId} onChange={(e) => setServiceId(e.target.value)} className={inputClasses}>
            <option value="">{t("allServices")}</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </FormField>
      </div>
      <Button type="submit">{t("review")}</Button>
    </form>
  );
}
