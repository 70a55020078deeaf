"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";
import { MAX_CAPACITY } from "@/lib/schemas/admin-slots";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import { fieldError } from "./request";
import { SlotProblemAlert } from "./slot-problem-alert";

export type ServiceOption = {
  id: string;
  name: string;
  defaultCapacity: number;
  durationMinutes: number;
  active: boolean;
};
type Fields = { serviceId: string; date: string; time: string; capacity: string };

/**
 * New slot: service, date and time (business time zone), capacity prefilled with the service's default. Review, then
 * confirm with a reason; on success the calendar opens on the new slot's week with it selected.
 */
export function SlotCreateForm({
  services,
  initial,
  timeZone,
}: {
  services: ServiceOption[];
  initial: Partial<Fields>;
  timeZone: string;
}) {
  const t = useTranslations("manageSlots.create");
  const router = useRouter();
  const firstService =
    services.find((s) => s.id === initial.serviceId) ?? services.find((s) => s.active) ?? services[0];
  const [fields, setFields] = useState<Fields>({
    serviceId: firstService?.id ?? "",
    date: initial.date ?? "",
    time: initial.time ?? "10:00",
    capacity: String(firstService?.defaultCapacity ?? ""),
  });
  const [errors, setErrors] = useState<Partial<Record<keyof Fields, string>>>({});
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const service = services.find((s) => s.id === fields.serviceId);
  // After "back" from a refused confirmation, the fields the server named are marked too.
  const serverError = (key: keyof Fields) => (fieldError(problem, `body.${key}`) ? t("checkField") : undefined);

  const set = (key: keyof Fields, value: string) => {
    setFields((f) => {
      const next = { ...f, [key]: value };
      // A new service brings its own default capacity.
      if (key === "serviceId")
        next.capacity = String(services.find((s) => s.id === value)?.defaultCapacity ?? f.capacity);
      return next;
    });
  };
  const review = () => {
    const capacity = Number(fields.capacity);
    const found: typeof errors = {};
    if (!service) found.serviceId = t("serviceMissing");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(fields.date)) found.date = t("dateMissing");
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(fields.time)) found.time = t("timeMissing");
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY)
      found.capacity = t("capacityInvalid", { max: MAX_CAPACITY });
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length === 0) setConfirming(true);
  };
  const submit = async (reason: string) => {
    setBusy(true);
    const result = await sendJson<{ slot: { id: string } }>("POST", "/api/admin/slots", {
      serviceId: fields.serviceId,
      date: fields.date,
      time: fields.time,
      capacity: Number(fields.capacity),
      reason,
    });
    if (!result.ok) {
      setBusy(false);
      setProblem(result.problem);
      return;
    }
    router.push(
      `/manage/slots?${new URLSearchParams({ week: fields.date, service: fields.serviceId, slot: result.data.slot.id })}`,
    );
  };

  if (confirming && service) {
    return (
      <ReasonConfirm
        title={t("confirmTitle")}
        confirmLabel={t("confirmButton")}
        busy={busy}
        problem={<SlotProblemAlert problem={problem} subject="slot" />}
        onConfirm={submit}
        onBack={() => setConfirming(false)}
      >
        <p>
          {t("confirmSummary", {
            service: service.name,
            date: fields.date,
            time: fields.time,
            capacity: fields.capacity,
            minutes: service.durationMinutes,
            timeZone,
          })}
        </p>
      </ReasonConfirm>
    );
  }

  return (
    <form
      className="space-y-5"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        review();
      }}
    >
      <FormField id="slot-service" label={t("service")} error={errors.serviceId ?? serverError("serviceId")}>
        <select value={fields.serviceId} onChange={(e) => set("serviceId", e.target.value)} className={inputClasses}>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.active ? s.name : t("inactiveService", { name: s.name })}
            </option>
          ))}
        </select>
      </FormField>
      <div className="grid gap-5 sm:grid-cols-2">
        <FormField
          id="slot-date"
          label={t("date")}
          hint={t("timeZoneHint", { timeZone })}
          error={errors.date ?? (fieldError(problem, "startsAt") ? t("inPast") : serverError("date"))}
        >
          <input
            type="date"
            value={fields.date}
            onChange={(e) => set("date", e.target.value)}
            className={inputClasses}
          />
        </FormField>
        <FormField id="slot-time" label={t("time")} error={errors.time ?? serverError("time")}>
          <input
            type="time"
            step={60}
            value={fields.time}
            onChange={(e) => set("time", e.target.value.slice(0, 5))}
            className={inputClasses}
          />
        </FormField>
      </div>
      <FormField
        id="slot-capacity"
        label={t("capacity")}
        hint={service ? t("capacityHint", { capacity: service.defaultCapacity }) : undefined}
        error={errors.capacity ?? serverError("capacity")}
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
      <Button type="submit">{t("review")}</Button>
    </form>
  );
}
