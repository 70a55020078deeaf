"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { holdBody } from "@/lib/schemas/reservations";
import { localPath, newIdempotencyKey, postJson, type Problem } from "@/components/booking/api-client";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { ProblemAlert, useProblemMessage } from "@/components/booking/problem-message";
import { Button, buttonClasses } from "@/components/ui/button";
import { isLocale } from "@/lib/locale";
import { formatMoney, type Money } from "@/lib/money";
import { fieldErrorsFromIssues, FIELDS, type Field, type FieldErrors } from "./field-errors";

type HoldResponse = {
  reservation: { id: string; code: string; status: "held" | "confirmed" };
  next: { type: "pay"; url: string } | { type: "done" };
  manageUrl: string;
};

export type BookingFormProps = {
  slotId: string;
  slotsHref: string;
  /** Most seats one booking may take here: min(remaining, MAX_SEATS_PER_BOOKING). */
  maxQuantity: number;
  unitPrice: Money;
  holdMinutes: number;
};

/** Codes after which the person should pick another time rather than fix the form. */
const PICK_ANOTHER = new Set(["sold_out", "slot_closed", "slot_in_past", "slot_not_found", "quantity_invalid"]);

export function BookingForm({ slotId, slotsHref, maxQuantity, unitPrice, holdMinutes }: BookingFormProps) {
  const t = useTranslations("book");
  const tCommon = useTranslations("common");
  const problemMessage = useProblemMessage();
  const router = useRouter();
  const rawLocale = useLocale();
  const locale = isLocale(rawLocale) ? rawLocale : "ja";
  const paid = unitPrice.amount > 0;

  const [values, setValues] = useState({ name: "", email: "", phone: "", quantity: "1" });
  const [smsConsent, setSmsConsent] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const busyRef = useRef(false);
  const problemRef = useRef<HTMLDivElement>(null);
  /**
   * One Idempotency-Key per form: a double click, a retry after a network error or a resend of edited details all
   * reuse it, so the server books at most once. Only a definitive refusal (4xx) retires it for a fresh attempt.
   */
  const keyRef = useRef<string | null>(null);

  useEffect(() => {
    if (focusRequest === 0) return;
    const first = FIELDS.find((f) => errors[f]);
    if (first) document.getElementById(`booking-${first}`)?.focus();
    else problemRef.current?.focus();
  }, [focusRequest, errors]);

  const quantity = Number(values.quantity);
  const total = {
    amount: unitPrice.amount * (Number.isInteger(quantity) ? quantity : 1),
    currency: unitPrice.currency,
  };
  const set = (field: Field) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busyRef.current) return;
    setProblem(null);
    const payload = {
      slotId,
      quantity,
      customer: { name: values.name, email: values.email, phone: values.phone },
      locale,
      smsConsent: smsConsent && values.phone.trim() !== "",
    };
    const parsed = holdBody.safeParse(payload);
    const found = parsed.success
      ? {}
      : fieldErrorsFromIssues(parsed.error.issues.map((i) => ({ path: i.path.map(String), code: i.code })));
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity) found.quantity = "quantity_invalid";
    setErrors(found);
    if (!parsed.success || Object.keys(found).length > 0) {
      setFocusRequest((n) => n + 1);
      return;
    }

    busyRef.current = true;
    setBusy(true);
    keyRef.current ??= newIdempotencyKey();
    const headers = { "Idempotency-Key": keyRef.current };
    let result = await postJson<HoldResponse>("/api/reservations", parsed.data, headers);
    // The first of two quick submits may still be running: wait as the server asks, then take its stored answer.
    for (let attempt = 0; attempt < 3 && !result.ok && result.problem.code === "idempotency_in_flight"; attempt++) {
      const waitSeconds = result.problem.retryAfterSeconds ?? 1;
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
      result = await postJson<HoldResponse>("/api/reservations", parsed.data, headers);
    }

    if (result.ok) {
      // Stay busy: the page is leaving, and a second submit must not even be attempted.
      const { next, manageUrl } = result.data;
      if (next.type === "pay") router.replace(localPath(next.url));
      else {
        const manage = new URL(localPath(manageUrl), window.location.origin);
        manage.searchParams.set("booked", "1");
        router.replace(`${manage.pathname}${manage.search}`);
      }
      return;
    }

    const failure = result.problem;
    const definitive =
      failure.status >= 400 &&
      failure.status < 500 &&
      failure.code !== "idempotency_in_flight" &&
      failure.code !== "idempotency_mismatch";
    if (definitive) keyRef.current = null;
    const fromServer = fieldErrorsFromIssues(
      failure.errors.map((e) => ({ path: e.path.split(".").filter((p) => p !== "body"), code: "server" })),
    );
    setErrors(fromServer);
    setProblem(failure);
    busyRef.current = false;
    setBusy(false);
    setFocusRequest((n) => n + 1);
  }

  const errorCount = Object.keys(errors).length;
  const fieldMessage = (field: Field) => {
    const code = errors[field];
    return code ? t(`field.${code}`, { max: maxQuantity }) : undefined;
  };

  return (
    <form noValidate onSubmit={submit} className="space-y-5" aria-busy={busy}>
      {errorCount > 0 && !problem ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm font-medium text-red-800">
          {t("fixErrors", { count: errorCount })}
        </p>
      ) : null}

      <FormField id="booking-name" label={t("name")} error={fieldMessage("name")}>
        <input
          type="text"
          name="name"
          autoComplete="name"
          value={values.name}
          onChange={set("name")}
          className={inputClasses}
        />
      </FormField>
      <FormField id="booking-email" label={t("email")} hint={t("emailHint")} error={fieldMessage("email")}>
        <input
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          value={values.email}
          onChange={set("email")}
          className={inputClasses}
        />
      </FormField>
      <FormField id="booking-phone" label={t("phone")} hint={t("phoneHint")} error={fieldMessage("phone")} optional>
        <input
          type="tel"
          name="phone"
          autoComplete="tel"
          value={values.phone}
          onChange={set("phone")}
          className={inputClasses}
        />
      </FormField>
      {values.phone.trim() !== "" ? (
        <label className="flex items-start gap-3 text-sm text-stone-800">
          <input
            type="checkbox"
            name="smsConsent"
            checked={smsConsent}
            onChange={(e) => setSmsConsent(e.target.checked)}
            className="mt-0.5 h-5 w-5 rounded border-stone-400"
          />
          <span>{t("smsConsent")}</span>
        </label>
      ) : null}
      <FormField
        id="booking-quantity"
        label={t("quantity")}
        hint={maxQuantity > 1 ? t("quantityHint", { max: maxQuantity }) : undefined}
        error={fieldMessage("quantity")}
      >
        <select
          name="quantity"
          value={values.quantity}
          onChange={set("quantity")}
          className={`${inputClasses} sm:w-40`}
        >
          {Array.from({ length: maxQuantity }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {tCommon("seats", { count: n })}
            </option>
          ))}
        </select>
      </FormField>

      {paid ? (
        <p className="flex items-baseline justify-between border-t border-stone-200 pt-4 text-stone-900">
          <span className="text-sm font-semibold">{t("total")}</span>
          <span className="text-2xl font-bold text-brand-900" aria-live="polite">
            {formatMoney(total, locale)}
          </span>
        </p>
      ) : null}
      <p className="text-sm text-stone-600">{paid ? t("holdNote", { minutes: holdMinutes }) : t("freeNote")}</p>

      {problem ? (
        <div ref={problemRef} tabIndex={-1} className="outline-none">
          <ProblemAlert message={problemMessage(problem, { maxSeats: maxQuantity })} requestId={problem.requestId}>
            {PICK_ANOTHER.has(problem.code) ? (
              <Link href={slotsHref} className={buttonClasses("secondary", "mt-3")}>
                {t("chooseAnother")}
              </Link>
            ) : null}
          </ProblemAlert>
        </div>
      ) : null}

      <Button type="submit" disabled={busy} className="w-full sm:w-auto sm:px-8">
        {busy ? t("submitting") : paid ? t("submitPaid") : t("submitFree")}
      </Button>
    </form>
  );
}
