"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState, type FormEvent } from "react";
import { postJson, type Problem } from "@/components/booking/api-client";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { useDisclosureFocus } from "@/components/ui/use-disclosure-focus";
import { cn } from "@/lib/cn";
import { isOneOf } from "@/lib/one-of";
import { controlClasses } from "./filters";

const KNOWN_PROBLEMS = [
  "validation_failed",
  "not_found",
  "invalid_state",
  "conflict",
  "forbidden",
  "unauthorized",
  "network",
  "dependency_unavailable",
  "rate_limited",
] as const;

/** A problem+json code as a sentence; a screen may word a 409 for its own case (e.g. "the last admin"). */
export function useOpsProblem(): (problem: Problem, conflict?: string) => string {
  const t = useTranslations("manageOps.problems");
  return (problem, conflict) => {
    if (problem.code === "conflict" && conflict) return conflict;
    return isOneOf(KNOWN_PROBLEMS, problem.code) ? t(problem.code) : t("generic");
  };
}

export type ReasonActionProps = {
  endpoint: string;
  /** The button that opens the confirmation step. */
  label: string;
  question: string;
  confirmLabel: string;
  destructive?: boolean;
  /** An extra choice sent with the reason (e.g. the new role). */
  choice?: { name: string; label: string; options: { value: string; label: string }[]; initial: string };
  /** The sentence shown after success, from the API's answer. */
  describe: (data: unknown) => string;
  /** The wording of a 409 on this screen. */
  conflict?: string;
};

/**
 * An operator action with a confirmation step and a required reason (audited): open → reason (and a choice) →
 * confirm. The reason field gets focus on open and the opener gets it back on cancel (or Escape), so the keyboard path is short;
 * on success the server-rendered page refreshes and the outcome is announced.
 */
export function ReasonAction({
  endpoint,
  label,
  question,
  confirmLabel,
  destructive,
  choice,
  describe,
  conflict,
}: ReasonActionProps) {
  const t = useTranslations("manageOps.common");
  const problemText = useOpsProblem();
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { inside: reasonRef, opener: openerRef } = useDisclosureFocus<HTMLTextAreaElement>(open);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const form = new FormData(event.currentTarget);
    const body: Record<string, string> = { reason: String(form.get("reason") ?? "") };
    if (choice) body[choice.name] = String(form.get(choice.name) ?? "");
    setBusy(true);
    setProblem(null);
    const result = await postJson<unknown>(endpoint, body);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setDone(describe(result.data));
    setOpen(false);
    router.refresh();
  }

  return (
    <div className="min-w-0">
      {open ? (
        <form
          onSubmit={submit}
          onKeyDown={(event) => {
            if (event.key === "Escape" && !busy) {
              setProblem(null);
              setOpen(false);
            }
          }}
          aria-labelledby={`${id}-q`}
          className={cn("rounded-xl p-4", destructive ? "bg-red-50" : "bg-brand-50")}
        >
          <p id={`${id}-q`} className={cn("text-sm font-medium", destructive ? "text-red-900" : "text-brand-900")}>
            {question}
          </p>
          {choice ? (
            <div className="mt-3">
              <label htmlFor={`${id}-choice`} className="block text-sm font-semibold text-stone-800">
                {choice.label}
              </label>
              <select
                id={`${id}-choice`}
                name={choice.name}
                defaultValue={choice.initial}
                className={cn(controlClasses, "mt-1")}
              >
                {choice.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <label htmlFor={`${id}-reason`} className="mt-3 block text-sm font-semibold text-stone-800">
            {t("reason")}
          </label>
          <p id={`${id}-hint`} className="text-xs text-stone-600">
            {t("reasonHint")}
          </p>
          <textarea
            ref={reasonRef}
            id={`${id}-reason`}
            name="reason"
            required
            minLength={3}
            maxLength={500}
            rows={2}
            aria-describedby={`${id}-hint`}
            className={cn(controlClasses, "mt-1")}
          />
          <div className="mt-3 flex flex-wrap gap-2">
            <Button type="submit" disabled={busy} className={destructive ? "bg-red-700 hover:bg-red-800" : undefined}>
              {busy ? t("working") : confirmLabel}
            </Button>
            <Button
              type="button"
              variant="secondary"
              disabled={busy}
              onClick={() => {
                setProblem(null);
                setOpen(false);
              }}
            >
              {t("cancel")}
            </Button>
          </div>
          {problem ? (
            <Notice tone="error" role="alert" className="mt-3">
              <p>{problemText(problem, conflict)}</p>
              {problem.requestId ? (
                <p className="mt-1 text-xs opacity-80">{t("reference", { id: problem.requestId })}</p>
              ) : null}
            </Notice>
          ) : null}
        </form>
      ) : (
        <Button
          ref={openerRef}
          type="button"
          variant="secondary"
          onClick={() => {
            setDone(null);
            setOpen(true);
          }}
        >
          {label}
        </Button>
      )}
      <p role="status" className={cn("text-sm text-emerald-800", done && "mt-2")}>
        {done}
      </p>
    </div>
  );
}
