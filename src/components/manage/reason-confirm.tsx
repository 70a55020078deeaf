"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import { REASON_MAX } from "@/lib/reason";

/**
 * The confirmation step of every staff action on a reservation: what is about to happen, any choices (children), a
 * required reason (kept in the audit log) and an explicit confirm button. Focus moves to the heading when it opens,
 * so keyboard and screen-reader users land on what it says. `ready` lets the caller hold back a submit whose own
 * fields are not valid yet (it shows their message itself).
 */
export function ReasonConfirm({
  title,
  children,
  confirmLabel,
  backLabel,
  destructive,
  busy,
  problem,
  ready = () => true,
  onConfirm,
  onBack,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  /** The back button's label when going back means more than giving up (e.g. "Edit message"). */
  backLabel?: string;
  destructive?: boolean;
  busy: boolean;
  problem?: ReactNode;
  ready?: () => boolean;
  onConfirm: (reason: string) => void;
  onBack: () => void;
}) {
  const t = useTranslations("manageShell.confirm");
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <form
      noValidate
      className={cn(
        "mt-3 rounded-xl border p-4",
        destructive ? "border-red-200 bg-red-50/60" : "border-brand-100 bg-brand-50",
      )}
      onSubmit={(e) => {
        e.preventDefault();
        const trimmed = reason.trim();
        setMissing(trimmed.length === 0);
        if (trimmed.length === 0 || !ready()) return;
        onConfirm(trimmed);
      }}
    >
      <h3
        ref={heading}
        tabIndex={-1}
        className="text-base font-bold text-stone-900 outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
      >
        {title}
      </h3>
      {children ? <div className="mt-2 space-y-3 text-sm leading-6 text-stone-800">{children}</div> : null}
      <label htmlFor={`${id}-reason`} className="mt-4 block text-sm font-semibold text-stone-900">
        {t("reason")} <span className="text-xs font-medium text-accent-500">{t("required")}</span>
      </label>
      <p id={`${id}-hint`} className="mt-1 text-xs text-stone-600">
        {t("reasonHint")}
      </p>
      <textarea
        id={`${id}-reason`}
        name="reason"
        value={reason}
        onChange={(e) => {
          setReason(e.target.value);
          if (missing) setMissing(false);
        }}
        maxLength={REASON_MAX}
        rows={2}
        required
        aria-required
        aria-invalid={missing || undefined}
        aria-describedby={`${id}-hint${missing ? ` ${id}-missing` : ""}`}
        className={cn(inputClasses, "mt-2")}
      />
      <p className="mt-1 text-right text-xs text-stone-500" aria-hidden>
        {reason.length}/{REASON_MAX}
      </p>
      {missing ? (
        <p id={`${id}-missing`} className="text-sm font-medium text-red-700">
          {t("reasonMissing")}
        </p>
      ) : null}
      {problem}
      <div className="mt-4 flex flex-wrap gap-2">
        <Button type="submit" disabled={busy} className={destructive ? "bg-red-700 hover:bg-red-800" : undefined}>
          {busy ? t("working") : confirmLabel}
        </Button>
        <Button type="button" variant="secondary" onClick={onBack} disabled={busy}>
          {backLabel ?? t("back")}
        </Button>
      </div>
    </form>
  );
}
