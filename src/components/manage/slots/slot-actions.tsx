"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import { MAX_CAPACITY, type SlotStatus } from "@/lib/schemas/admin-slots";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import { SlotProblemAlert } from "./slot-problem-alert";

type Mode = "capacity" | "close" | "reopen" | "cancel";
type SlotState = { id: string; status: SlotStatus; capacity: number; reserved: number; label: string };

/**
 * The changes staff can make to one slot: capacity, close, reopen, cancel. Each goes through a confirmation step with
 * a reason. Cancelling is offered only for a slot without reservations (the domain refuses otherwise, because the
 * people booked would be left without a slot); for a booked slot the panel explains that and offers closing.
 */
export function SlotActions({ slot }: { slot: SlotState }) {
  const t = useTranslations("manageSlots.actions");
  const router = useRouter();
  const [mode, setMode] = useState<Mode | null>(null);
  const [capacityText, setCapacityText] = useState(String(slot.capacity));
  const [capacityError, setCapacityError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string>();

  const newCapacity = Number(capacityText);
  const start = (next: Mode) => {
    setProblem(null);
    setDone(undefined);
    setMode(next);
  };
  const reviewCapacity = () => {
    if (capacityText.trim() === "" || !Number.isInteger(newCapacity) || newCapacity < 0 || newCapacity > MAX_CAPACITY) {
      setCapacityError(t("capacityInvalid", { max: MAX_CAPACITY }));
    } else if (newCapacity < slot.reserved) {
      setCapacityError(t("capacityBelowReserved", { reserved: slot.reserved }));
    } else if (newCapacity === slot.capacity) {
      setCapacityError(t("capacityUnchanged"));
    } else {
      setCapacityError(undefined);
      start("capacity");
    }
  };
  const submit = async (reason: string) => {
    if (!mode) return;
    setBusy(true);
    setProblem(null);
    const body =
      mode === "capacity"
        ? { capacity: newCapacity, reason }
        : { status: mode === "close" ? "closed" : mode === "reopen" ? "open" : "cancelled", reason };
    const result = await sendJson(`PATCH`, `/api/admin/slots/${slot.id}`, body);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setDone(t(`done.${mode}`));
    setMode(null);
    router.refresh();
  };

  const error = <SlotProblemAlert problem={problem} subject="slot" reserved={slot.reserved} />;
  if (mode) {
    const summary = {
      capacity: t("confirmCapacity", { slot: slot.label, from: slot.capacity, to: newCapacity }),
      close: t("confirmClose", { slot: slot.label, reserved: slot.reserved }),
      reopen: t("confirmReopen", { slot: slot.label }),
      cancel: t("confirmCancel", { slot: slot.label }),
    }[mode];
    return (
      <ReasonConfirm
        title={t(`title.${mode}`)}
        confirmLabel={t(`confirmButton.${mode}`)}
        destructive={mode === "cancel" || mode === "close"}
        busy={busy}
        problem={error}
        onConfirm={submit}
        onBack={() => setMode(null)}
      >
        <p>{summary}</p>
      </ReasonConfirm>
    );
  }

  return (
    <div className="space-y-4">
      {done ? (
        <Notice tone="success" role="status">
          {done}
        </Notice>
      ) : null}
      <div>
        <label htmlFor={`capacity-${slot.id}`} className="block text-sm font-semibold text-stone-900">
          {t("capacityLabel")}
        </label>
        <p id={`capacity-hint-${slot.id}`} className="mt-1 text-xs text-stone-600">
          {t("capacityHint", { reserved: slot.reserved })}
        </p>
        <div className="mt-2 flex flex-wrap gap-2">
          <input
            id={`capacity-${slot.id}`}
            type="number"
            inputMode="numeric"
            min={0}
            max={MAX_CAPACITY}
            value={capacityText}
            onChange={(e) => setCapacityText(e.target.value)}
            aria-invalid={capacityError ? true : undefined}
            aria-describedby={`capacity-hint-${slot.id}${capacityError ? ` capacity-error-${slot.id}` : ""}`}
            className={cn(inputClasses, "w-28")}
          />
          <Button type="button" variant="secondary" onClick={reviewCapacity}>
            {t("changeCapacity")}
          </Button>
        </div>
        {capacityError ? (
          <p id={`capacity-error-${slot.id}`} className="mt-1.5 text-sm font-medium text-red-700">
            {capacityError}
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-2">
        {slot.status === "open" ? (
          <Button type="button" variant="secondary" onClick={() => start("close")}>
            {t("close")}
          </Button>
        ) : (
          <Button type="button" variant="secondary" onClick={() => start("reopen")}>
            {t("reopen")}
          </Button>
        )}
        {slot.status !== "cancelled" && slot.reserved === 0 ? (
          <Button type="button" variant="secondary" className="text-red-800" onClick={() => start("cancel")}>
            {t("cancel")}
          </Button>
        ) : null}
      </div>
      {slot.status !== "cancelled" && slot.reserved > 0 ? (
        <p className="text-sm text-stone-600" data-testid="cancel-explanation">
          {t("cannotCancel", { reserved: slot.reserved })}
        </p>
      ) : null}
    </div>
  );
}
