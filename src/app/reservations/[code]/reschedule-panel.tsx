"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { ProblemAlert, useProblemMessage } from "@/components/booking/problem-message";
import { Button } from "@/components/ui/button";
import { ConfirmButtons } from "./confirm-buttons";
import { useReservationAction } from "./use-reservation-action";

export type RescheduleDay = {
  day: string;
  label: string;
  slots: { id: string; time: string; when: string; remaining: string }[];
};

type Props = {
  id: string;
  code: string;
  token: string;
  deadlineHours: number;
  quantity: number;
  currentWhen: string;
  /** Open slots of the same service with room for this booking, formatted on the server in the business zone. */
  days: RescheduleDay[];
};

type Step = "closed" | "pick" | "confirm";

/** Reschedule: open the list, pick a time (radio buttons grouped by day), confirm the from → to change. */
export function ReschedulePanel({ id, code, token, deadlineHours, quantity, currentWhen, days }: Props) {
  const t = useTranslations("manage");
  const problemMessage = useProblemMessage();
  const { run, busy, problem, clearProblem } = useReservationAction({ id, code, token });
  const [step, setStep] = useState<Step>("closed");
  const [selected, setSelected] = useState<string | null>(null);
  const [pickError, setPickError] = useState(false);
  const stepFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    if (step !== "closed") stepFocus.current?.focus();
  }, [step]);

  const choice = days.flatMap((d) => d.slots).find((s) => s.id === selected);
  const alert = problem ? (
    <ProblemAlert
      message={problemMessage(problem, { deadlineHours, context: "reschedule" })}
      requestId={problem.requestId}
    />
  ) : null;

  if (step === "closed") {
    return (
      <Section>
        <Button
          type="button"
          variant="secondary"
          className="mt-3"
          onClick={() => setStep("pick")}
          aria-expanded={false}
        >
          {t("reschedule")}
        </Button>
      </Section>
    );
  }

  if (step === "confirm" && choice) {
    return (
      <Section>
        <div className="mt-3 rounded-xl bg-brand-50 p-4">
          <p
            id="reschedule-question"
            ref={(el) => void (stepFocus.current = el)}
            tabIndex={-1}
            className="text-sm font-medium text-brand-900"
          >
            {t("rescheduleQuestion", { from: currentWhen, to: choice.when })}
          </p>
          <ConfirmButtons
            questionId="reschedule-question"
            busy={busy}
            confirmLabel={t("rescheduleConfirm")}
            onConfirm={() => void run("reschedule", { slotId: choice.id })}
            backLabel={t("back")}
            onBack={() => {
              clearProblem();
              setStep("pick");
            }}
          />
        </div>
        {alert}
      </Section>
    );
  }

  return (
    <Section>
      {days.length === 0 ? (
        <p ref={(el) => void (stepFocus.current = el)} tabIndex={-1} className="mt-3 text-sm text-stone-600">
          {t("rescheduleNone", { count: quantity })}
        </p>
      ) : (
        <form
          className="mt-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (!choice) {
              setPickError(true);
              return;
            }
            clearProblem();
            setStep("confirm");
          }}
        >
          <fieldset aria-describedby={pickError ? "reschedule-pick-error" : undefined}>
            <legend
              ref={(el) => void (stepFocus.current = el)}
              tabIndex={-1}
              className="text-sm font-medium text-stone-800"
            >
              {t("rescheduleLegend")}
            </legend>
            <div className="mt-3 max-h-96 space-y-4 overflow-y-auto pr-1">
              {days.map((d) => (
                <div key={d.day} role="group" aria-label={d.label}>
                  <p aria-hidden className="text-sm font-semibold text-stone-900">
                    {d.label}
                  </p>
                  <div className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3">
                    {d.slots.map((s) => (
                      <label
                        key={s.id}
                        className="flex min-h-14 cursor-pointer items-center gap-2 rounded-xl bg-stone-50 px-3 py-2 ring-1 ring-stone-200 has-checked:bg-brand-50 has-checked:ring-2 has-checked:ring-brand-600 has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand-600"
                      >
                        <input
                          type="radio"
                          name="slotId"
                          value={s.id}
                          checked={selected === s.id}
                          onChange={() => {
                            setSelected(s.id);
                            setPickError(false);
                          }}
                          className="size-4 accent-brand-600 focus-visible:outline-none"
                        />
                        <span className="flex flex-col">
                          <span className="font-semibold text-stone-900">{s.time}</span>
                          <span className="text-xs text-stone-600">{s.remaining}</span>
                        </span>
                      </label>
                    ))}
                  </div>
                </div>
              ))}
            </div>
          </fieldset>
          {pickError ? (
            <p id="reschedule-pick-error" role="alert" className="mt-2 text-sm font-medium text-red-700">
              {t("pickFirst")}
            </p>
          ) : null}
          <div className="mt-4 flex flex-wrap gap-3">
            <Button type="submit">{t("rescheduleNext")}</Button>
            <Button type="button" variant="secondary" onClick={() => setStep("closed")}>
              {t("close")}
            </Button>
          </div>
        </form>
      )}
      {alert}
    </Section>
  );
}

function Section({ children }: { children: ReactNode }) {
  const t = useTranslations("manage");
  return (
    <section aria-labelledby="reschedule-heading" className="rounded-2xl border border-stone-200 bg-white p-5">
      <h3 id="reschedule-heading" className="font-semibold text-stone-900">
        {t("reschedule")}
      </h3>
      {children}
    </section>
  );
}
