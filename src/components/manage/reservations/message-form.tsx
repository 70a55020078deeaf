"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import { MESSAGE_MAX, SUBJECT_MAX } from "@/lib/schemas/admin-reservation-actions";
import { ReasonConfirm } from "@/components/manage/reason-confirm";

export type MessageRecipient = { email: string; locale: "ja" | "en" };

type Draft = { subject: string; message: string };

/**
 * "Send a message": the staff member writes a subject and a message, then checks it exactly as it will go out (the
 * text kept as typed, line breaks and all) with the recipient, gives the required reason and sends. Going back from
 * the check keeps what was written. The body is what POST …/notify takes as `type: "message"`.
 */
export function MessageForm({
  to,
  busy,
  problem,
  onBack,
  onEdit,
  onSubmit,
}: {
  to: MessageRecipient;
  busy: boolean;
  problem: ReactNode;
  onBack: () => void;
  /** Going back from the check to the text (the caller clears a problem the last attempt left). */
  onEdit?: () => void;
  onSubmit: (body: { type: "message"; reason: string } & Draft) => void;
}) {
  const t = useTranslations("manageReservations.actions");
  const [draft, setDraft] = useState<Draft>({ subject: "", message: "" });
  const [checking, setChecking] = useState(false);
  const language = t(`languages.${to.locale}`);

  if (!checking)
    return (
      <Compose
        to={to}
        language={language}
        draft={draft}
        onChange={setDraft}
        onBack={onBack}
        onReview={() => setChecking(true)}
      />
    );
  return (
    <ReasonConfirm
      title={t("messageCheckTitle")}
      confirmLabel={t("messageConfirm")}
      backLabel={t("messageEdit")}
      busy={busy}
      problem={problem}
      onBack={() => {
        onEdit?.();
        setChecking(false);
      }}
      onConfirm={(reason) =>
        onSubmit({ type: "message", subject: draft.subject.trim(), message: draft.message.trim(), reason })
      }
    >
      <p>{t("messageCheckBody", { email: to.email, language })}</p>
      <dl className="grid gap-2 rounded-lg border border-stone-200 bg-white p-3">
        <dt className="text-xs font-semibold text-stone-600">{t("messageSubject")}</dt>
        <dd className="font-semibold break-words text-stone-900">{draft.subject.trim()}</dd>
        <dt className="text-xs font-semibold text-stone-600">{t("messageText")}</dt>
        <dd className="whitespace-pre-wrap break-words text-stone-900">{draft.message.trim()}</dd>
      </dl>
    </ReasonConfirm>
  );
}

function Compose({
  to,
  language,
  draft,
  onChange,
  onBack,
  onReview,
}: {
  to: MessageRecipient;
  language: string;
  draft: Draft;
  onChange: (draft: Draft) => void;
  onBack: () => void;
  onReview: () => void;
}) {
  const t = useTranslations("manageReservations.actions");
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [missing, setMissing] = useState<{ subject: boolean; message: boolean }>({ subject: false, message: false });

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const field = (name: keyof Draft) => ({
    id: `${id}-${name}`,
    name,
    value: draft[name],
    required: true,
    "aria-required": true,
    "aria-invalid": missing[name] || undefined,
    "aria-describedby": `${id}-${name}-hint${missing[name] ? ` ${id}-${name}-missing` : ""}`,
    onChange: (e: { target: { value: string } }) => {
      onChange({ ...draft, [name]: e.target.value });
      if (missing[name]) setMissing({ ...missing, [name]: false });
    },
  });

  return (
    <form
      noValidate
      className="mt-3 rounded-xl border border-brand-100 bg-brand-50 p-4"
      onSubmit={(e) => {
        e.preventDefault();
        const now = { subject: draft.subject.trim() === "", message: draft.message.trim() === "" };
        setMissing(now);
        if (!now.subject && !now.message) onReview();
      }}
    >
      <h3
        ref={heading}
        tabIndex={-1}
        className="text-base font-bold text-stone-900 outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
      >
        {t("messageTitle")}
      </h3>
      <p className="mt-2 text-sm leading-6 text-stone-800">{t("messageBody", { email: to.email, language })}</p>

      <Label htmlFor={`${id}-subject`}>{t("messageSubject")}</Label>
      <Hint id={`${id}-subject-hint`}>{t("messageSubjectHint")}</Hint>
      {/* One line: the subject becomes an email header. */}
      <input
        type="text"
        autoComplete="off"
        maxLength={SUBJECT_MAX}
        className={cn(inputClasses, "mt-2")}
        {...field("subject")}
      />
      <Counter length={draft.subject.length} max={SUBJECT_MAX} />
      {missing.subject ? <Missing id={`${id}-subject-missing`}>{t("messageSubjectMissing")}</Missing> : null}

      <Label htmlFor={`${id}-message`}>{t("messageText")}</Label>
      <Hint id={`${id}-message-hint`}>{t("messageTextHint")}</Hint>
      <textarea rows={8} maxLength={MESSAGE_MAX} className={cn(inputClasses, "mt-2")} {...field("message")} />
      <Counter length={draft.message.length} max={MESSAGE_MAX} />
      {missing.message ? <Missing id={`${id}-message-missing`}>{t("messageTextMissing")}</Missing> : null}

      <div className="mt-4 flex flex-wrap gap-2">
        <Button type="submit">{t("messageReview")}</Button>
        <Button type="button" variant="secondary" onClick={onBack}>
          {t("back")}
        </Button>
      </div>
    </form>
  );
}

function Label({ htmlFor, children }: { htmlFor: string; children: ReactNode }) {
  const t = useTranslations("manageReservations.actions");
  return (
    <label htmlFor={htmlFor} className="mt-4 block text-sm font-semibold text-stone-900">
      {children} <span className="text-xs font-medium text-accent-500">{t("required")}</span>
    </label>
  );
}

function Hint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="mt-1 text-xs text-stone-600">
      {children}
    </p>
  );
}

function Counter({ length, max }: { length: number; max: number }) {
  return (
    <p className="mt-1 text-right text-xs text-stone-500" aria-hidden>
      {length}/{max}
    </p>
  );
}

function Missing({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="text-sm font-medium text-red-700">
      {children}
    </p>
  );
}
