"use client";

import { useTranslations } from "next-intl";
import type { Ref } from "react";
import { Button } from "@/components/ui/button";

/**
 * The confirm and back buttons under the question of the cancel and reschedule steps. The confirm button is described
 * by the question (`questionId`); both are disabled while the request runs.
 */
export function ConfirmButtons({
  questionId,
  busy,
  confirmLabel,
  onConfirm,
  backLabel,
  onBack,
  confirmRef,
  confirmClassName,
}: {
  questionId: string;
  busy: boolean;
  confirmLabel: string;
  onConfirm: () => void;
  backLabel: string;
  onBack: () => void;
  confirmRef?: Ref<HTMLButtonElement>;
  confirmClassName?: string;
}) {
  const t = useTranslations("manage");
  return (
    <div className="mt-3 flex flex-wrap gap-3">
      <Button
        ref={confirmRef}
        type="button"
        aria-describedby={questionId}
        disabled={busy}
        onClick={onConfirm}
        className={confirmClassName}
      >
        {busy ? t("working") : confirmLabel}
      </Button>
      <Button type="button" variant="secondary" disabled={busy} onClick={onBack}>
        {backLabel}
      </Button>
    </div>
  );
}
