"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { MAX_CAPACITY } from "@/lib/schemas/admin-slots";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import type { ServiceOption } from "./slot-create-form";
import { SlotProblemAlert } from "./slot-problem-alert";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

type Fields = {
  serviceId: string;
  weekdays: number[];
  times: string;
  capacity: string;
  validFrom: string;
  validUntil: string;
};

/** "08:00, 9:30 14:00" → ["08:00", "09:30", "14:00"]; null when any entry is not a time. */
function parseTimes(text: string): string[] | null {
  const parts = text
    .split(/[\s,、]+/)
    .filter(Boolean)
    .map((p) => (/^\d:\d\d$/.test(p) ? `0${p}` : p));
  if (parts.length === 0 || parts.some((p) => !TIME.test(p))) return null;
  return [...new Set(parts)].sort();
}

/**
 * A weekly rule: service, weekdays, one or more start times, capacity (blank = the service's default) and an optional
 * date range. Creates one rule per weekday × time after a confirmation with a reason.
 */
export function RuleCreateForm({ services }: { services: ServiceOption[] }) {
  const t = useTranslations("manageSlots.ruleForm");
  const tw = useTranslations("manageSlots.weekdays");
  const router = useRouter();
  const empty: Fields = {
    serviceId: services.find((s) => s.active)?.id ?? "",
    weekdays: [],
    times: "",
    capacity: "",
    validFrom: "",
    validUntil: "",
  };
  const [fields, setFields] = useState<Fields>(empty);
  const [errors, setErrors] = useState<Partial<Record<keyof Fields, string>>>({});
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<number>();
  const service = services.find((s) => s.id === fields.serviceId);
  const times = parseTimes(fields.times);

  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setFields((f) => ({ ...f, [key]: value }));
  const review = () => {
    const found: typeof errors = {};
    const capacity = Number(fields.capacity);
    if (!service) found.serviceId = t("serviceMissing");
    if (fields.weekdays.length === 0) found.weekdays = t("weekdaysMissing");
    if (!times) found.times = t("timesInvalid");
    if (fields.capacity !== "" && (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY))
      found.capacity = t("capacityInvalid", { max: MAX_CAPACITY });
    if (fields.validFrom && fields.validUntil && fields.validFrom > fields.validUntil)
      found.validUntil = t("rangeInvalid");
    setErrors(found);
    setProblem(null);
    setCreated(undefined);
    if (Object.keys(found).length === 0) setConfirming(true);
  };
  const submit = async (reason: string) => {
    setBusy(true);
    setProblem(null);
    const result = await sendJson<{ rules: unknown[] }>("POST", "/api/admin/slot-rules", {
      serviceId: fields.serviceId,
      weekdays: fields.weekdays,
      startTimes: times,
      ...(fields.capacity !== "" ? { capacity: Number(fields.capacity) } : {}),
      ...(fields.validFrom ? { validFrom: fields.validFrom } : {}),
      ...(fields.validUntil ? { validUntil: fields.validUntil } : {}),
      reason,
    });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setCreated(result.data.rules.length);
    setFields(empty);
    setConfirming(false);
    router.refresh();
  };

  if (confirming && service && times) {
    return (
      <ReasonConfirm
        title={t("confirmTitle")}
        confirmLabel={t("confirmButton")}
        busy={busy}
        problem={<SlotProblemAlert problem={problem} subject="rule" />}
        onConfirm={submit}
        onBack={() => setConfirming(false)}
      >
        <p>
          {t("confirmSummary", {
            count: fields.weekdays.length * times.length,
            service: service.name,
            weekdays: [...fields.weekdays]
              .sort()
              .map((d) => tw(String(d)))
              .join("・"),
            times: times.join(", "),
            capacity: fields.capacity || service.defaultCapacity,
          })}
        </p>
        {fields.validFrom || fields.validUntil ? (
          <p>{t("confirmRange", { from: fields.validFrom || "—", until: fields.validUntil || "—" })}</p>
        ) : null}
      </ReasonConfirm>
    );
  }
  return (
    <form
      noValidate
      className="space-y-5"
      onSubmit={(e) => {
        e.preventDefault();
        review();
      }}
    >
      {created !== undefined ? (
        <Notice tone="success" role="status">
          {t("created", { count: created })}
        </Notice>
      ) : null}
      <FormField id="rule-service" label={t("service")} error={errors.serviceId}>
        <select value={fields.serviceId} onChange={(e) => set("serviceId", e.target.value)} className={inputClasses}>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </FormField>
      <fieldset aria-describedby={errors.weekdays ? "rule-weekdays-error" : undefined}>
        <legend className="text-sm font-semibold text-stone-900">{t("weekdays")}</legend>
        <div className="mt-2 flex flex-wrap gap-2">
          {WEEKDAYS.map((d) => (
            <label
              key={d}
              className="flex min-h-11 min-w-14 cursor-pointer items-center justify-center gap-2 rounded-lg px-3 ring-1 ring-stone-300 has-[:checked]:bg-brand-50 has-[:checked]:ring-brand-600"
            >
              <input
                type="checkbox"
                checked={fields.weekdays.includes(d)}
                onChange={(e) =>
                  set("weekdays", e.target.checked ? [...fields.weekdays, d] : fields.weekdays.filter((x) => x !== d))
                }
                className="size-4"
              />
              {tw(String(d))}
            </label>
          ))}
        </div>
        {errors.weekdays ? (
          <p id="rule-weekdays-error" className="mt-1.5 text-sm font-medium text-red-700">
            {errors.weekdays}
          </p>
        ) : null}
      </fieldset>
      <div className="grid gap-5 sm:grid-cols-2">
        <FormField id="rule-times" label={t("times")} hint={t("timesHint")} error={errors.times}>
          <input
            type="text"
            inputMode="numeric"
            placeholder="10:00, 14:30"
            value={fields.times}
            onChange={(e) => set("times", e.target.value)}
            className={inputClasses}
          />
        </FormField>
        <FormField
          id="rule-capacity"
          label={t("capacity")}
          hint={service ? t("capacityHint", { capacity: service.defaultCapacity }) : undefined}
          optional
          error={errors.capacity}
        >
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_CAPACITY}
            value={fields.capacity}
            onChange={(e) => set("capacity", e.target.value)}
            className={`${inputClasses} w-32`}
          />
        </FormField>
        <FormField id="rule-from" label={t("validFrom")} optional>
          <input
            type="date"
            value={fields.validFrom}
            onChange={(e) => set("validFrom", e.target.value)}
            className={inputClasses}
          />
        </FormField>
        <FormField id="rule-until" label={t("validUntil")} optional error={errors.validUntil}>
          <input
            type="date"
            value={fields.validUntil}
            onChange={(e) => set("validUntil", e.target.value)}
            className={inputClasses}
          />
        </FormField>
      </div>
      <Button type="submit">{t("review")}</Button>
    </form>
  );
}
