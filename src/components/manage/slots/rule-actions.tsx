"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { Button } from "@/components/ui/button";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import { SlotProblemAlert } from "./slot-problem-alert";

type Mode = "pause" | "resume" | "delete";

/** Pause / resume / delete one weekly rule, each confirmed with a reason. Slots the rule already made are untouched. */
export function RuleActions({ rule }: { rule: { id: string; active: boolean; label: string } }) {
  const t = useTranslations("manageSlots.rules");
  const router = useRouter();
  const [mode, setMode] = useState<Mode | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const submit = async (reason: string) => {
    if (!mode) return;
    setBusy(true);
    setProblem(null);
    const result =
      mode === "delete"
        ? await sendJson("DELETE", `/api/admin/slot-rules/${rule.id}`, { reason })
        : await sendJson("PATCH", `/api/admin/slot-rules/${rule.id}`, { active: mode === "resume", reason });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setMode(null);
    router.refresh();
  };

  if (mode) {
    return (
      <div className="min-w-72">
        <ReasonConfirm
          title={t(`confirmTitle.${mode}`)}
          confirmLabel={t(`confirmButton.${mode}`)}
          destructive={mode !== "resume"}
          busy={busy}
          problem={<SlotProblemAlert problem={problem} subject="rule" />}
          onConfirm={submit}
          onBack={() => setMode(null)}
        >
          <p>{t(`confirmSummary.${mode}`, { rule: rule.label })}</p>
        </ReasonConfirm>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap gap-2">
      <Button type="button" variant="secondary" onClick={() => setMode(rule.active ? "pause" : "resume")}>
        {rule.active ? t("pause") : t("resume")}
      </Button>
      <Button type="button" variant="secondary" className="text-red-800" onClick={() => setMode("delete")}>
        {t("delete")}
      </Button>
    </div>
  );
}
