"use client";

import { useTranslations } from "next-intl";
import { useId, useState, type ReactNode } from "react";
import { inputClasses } from "@/components/booking/form-field";
import { formatMoney } from "@/lib/money";
import { formatAmountInput, parseAmount } from "./amount-input";
import { ReasonConfirm } from "@/components/manage/reason-confirm";

/** The confirmation steps that need choices besides the reason: cancel (refund), reschedule (slot), refund (amount). */

export type RefundTarget = { paymentId: string; paid: number; remaining: number };

type FormProps = {
  locale: string;
  currency: string;
  busy: boolean;
  problem: ReactNode;
  onBack: () => void;
};

export function CancelForm({
  quantity,
  refund,
  onSubmit,
  ...props
}: FormProps & { quantity: number; refund: RefundTarget | null; onSubmit: (body: object) => void }) {
  const t = useTranslations("manageReservations.actions");
  const id = useId();
  const [choice, setChoice] = useState<"full" | "none" | "partial">("full");
  const [amountText, setAmountText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const money = (amount: number) => formatMoney({ amount, currency: props.currency }, props.locale);
  const amount = refund ? parseAmount(amountText, props.currency, refund.remaining) : null;

  return (
    <ReasonConfirm
      title={t("cancelTitle")}
      confirmLabel={t("cancelConfirm")}
      destructive
      busy={props.busy}
      problem={props.problem}
      onBack={props.onBack}
      ready={() => {
        const bad = choice === "partial" && amount === null;
        setInvalid(bad);
        return !bad;
      }}
      onConfirm={(reason) =>
        onSubmit({
          reason,
          refund: !refund || choice === "none" ? "none" : choice === "full" ? "full" : { amount: amount ?? 0 },
        })
      }
    >
      <p>{t("cancelBody", { count: quantity })}</p>
      {refund ? (
        <fieldset>
          <legend className="font-semibold text-stone-900">{t("refundChoice")}</legend>
          {(
            [
              ["full", t("refundFull", { amount: money(refund.remaining) })],
              ["partial", t("refundPartial")],
              ["none", t("refundNone")],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex min-h-11 items-center gap-3">
              <input
                type="radio"
                name={`${id}-refund`}
                value={value}
                checked={choice === value}
                onChange={() => setChoice(value)}
                className="size-5"
              />
              {label}
            </label>
          ))}
          {choice === "partial" ? (
            <AmountField
              id={`${id}-amount`}
              currency={props.currency}
              max={money(refund.remaining)}
              value={amountText}
              invalid={invalid}
              onChange={setAmountText}
            />
          ) : null}
        </fieldset>
      ) : null}
    </ReasonConfirm>
  );
}

export function RescheduleForm({
  current,
  quantity,
  slots,
  onSubmit,
  ...props
}: FormProps & {
  current: string;
  quantity: number;
  slots: { id: string; label: string }[];
  onSubmit: (body: object) => void;
}) {
  const t = useTranslations("manageReservations.actions");
  const id = useId();
  const [slotId, setSlotId] = useState(slots[0]?.id ?? "");
  return (
    <ReasonConfirm
      title={t("rescheduleTitle")}
      confirmLabel={t("rescheduleConfirm")}
      busy={props.busy}
      problem={props.problem}
      onBack={props.onBack}
      ready={() => slotId !== ""}
      onConfirm={(reason) => onSubmit({ reason, slotId })}
    >
      <p>{t("rescheduleBody", { current, count: quantity })}</p>
      {slots.length === 0 ? (
        <p role="status" className="font-medium text-red-800">
          {t("rescheduleNone")}
        </p>
      ) : (
        <div>
          <label htmlFor={`${id}-slot`} className="block font-semibold text-stone-900">
            {t("rescheduleSlot")}
          </label>
          <select
            id={`${id}-slot`}
            value={slotId}
            onChange={(e) => setSlotId(e.target.value)}
            className={`${inputClasses} mt-1`}
          >
            {slots.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      )}
    </ReasonConfirm>
  );
}

export function RefundForm({
  refund,
  onSubmit,
  ...props
}: FormProps & { refund: RefundTarget; onSubmit: (body: object) => void }) {
  const t = useTranslations("manageReservations.actions");
  const id = useId();
  const [amountText, setAmountText] = useState(formatAmountInput(refund.remaining, props.currency));
  const [invalid, setInvalid] = useState(false);
  const money = (amount: number) => formatMoney({ amount, currency: props.currency }, props.locale);
  const amount = parseAmount(amountText, props.currency, refund.remaining);
  return (
    <ReasonConfirm
      title={t("refundTitle")}
      confirmLabel={t("refundConfirm", { amount: amount === null ? "—" : money(amount) })}
      destructive
      busy={props.busy}
      problem={props.problem}
      onBack={props.onBack}
      ready={() => {
        setInvalid(amount === null);
        return amount !== null;
      }}
      onConfirm={(reason) => onSubmit({ reason, amount: amount ?? 0, paymentId: refund.paymentId })}
    >
      <p>{t("refundBody", { paid: money(refund.paid), max: money(refund.remaining) })}</p>
      <AmountField
        id={`${id}-amount`}
        currency={props.currency}
        max={money(refund.remaining)}
        value={amountText}
        invalid={invalid}
        onChange={setAmountText}
      />
    </ReasonConfirm>
  );
}

function AmountField({
  id,
  currency,
  max,
  value,
  invalid,
  onChange,
}: {
  id: string;
  currency: string;
  max: string;
  value: string;
  invalid: boolean;
  onChange: (v: string) => void;
}) {
  const t = useTranslations("manageReservations.actions");
  return (
    <div className="mt-2">
      <label htmlFor={id} className="block font-semibold text-stone-900">
        {t("refundAmount", { currency, max })}
      </label>
      <input
        id={id}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        className={`${inputClasses} mt-1 max-w-48`}
      />
      {invalid ? (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {t("refundInvalid", { max })}
        </p>
      ) : null}
    </div>
  );
}
