"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState, type FormEvent } from "react";
import { postJson, type Problem } from "@/components/booking/api-client";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import { controlClasses } from "./filters";
import { useOpsProblem } from "./reason-action";

/** Adds a staff member or admin by email (POST /api/admin/users), with the reason the audit log keeps. */
export function InviteForm() {
  const t = useTranslations("manageOps.users");
  const common = useTranslations("manageOps.common");
  const roles = useTranslations("manageOps.roles");
  const problemText = useOpsProblem();
  const router = useRouter();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = {
      email: String(form.get("email") ?? "").trim(),
      role: String(form.get("role") ?? "staff"),
      reason: String(form.get("reason") ?? ""),
    };
    setBusy(true);
    setProblem(null);
    setDone(null);
    const result = await postJson(`/api/admin/users`, body);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    formElement.reset();
    setDone(t("invited", { email: body.email, role: roles(body.role === "admin" ? "admin" : "staff") }));
    router.refresh();
  }

  return (
    <form
      onSubmit={submit}
      aria-describedby={`${id}-hint`}
      className="grid gap-3 sm:grid-cols-[2fr_1fr] lg:grid-cols-[2fr_1fr_2fr_auto] lg:items-end"
    >
      <p id={`${id}-hint`} className="text-sm text-stone-600 sm:col-span-2 lg:col-span-4">
        {t("inviteHint")}
      </p>
      <div>
        <label htmlFor={`${id}-email`} className="block text-sm font-semibold text-stone-800">
          {t("inviteEmail")}
        </label>
        <input
          id={`${id}-email`}
          name="email"
          type="email"
          required
          autoComplete="off"
          className={cn(controlClasses, "mt-1")}
        />
      </div>
      <div>
        <label htmlFor={`${id}-role`} className="block text-sm font-semibold text-stone-800">
          {t("inviteRole")}
        </label>
        <select id={`${id}-role`} name="role" defaultValue="staff" className={cn(controlClasses, "mt-1")}>
          <option value="staff">{roles("staff")}</option>
          <option value="admin">{roles("admin")}</option>
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-reason`} className="block text-sm font-semibold text-stone-800">
          {common("reason")}
        </label>
        <input
          id={`${id}-reason`}
          name="reason"
          required
          minLength={3}
          maxLength={500}
          title={common("reasonHint")}
          className={cn(controlClasses, "mt-1")}
        />
      </div>
      <Button type="submit" disabled={busy}>
        {busy ? common("working") : t("inviteSubmit")}
      </Button>
      {problem ? (
        <Notice tone="error" role="alert" className="sm:col-span-2 lg:col-span-4">
          <p>{problemText(problem, t("emailExists"))}</p>
          {problem.requestId ? (
            <p className="mt-1 text-xs opacity-80">{common("reference", { id: problem.requestId })}</p>
          ) : null}
        </Notice>
      ) : null}
      <p role="status" className="text-sm text-emerald-800 sm:col-span-2 lg:col-span-4">
        {done}
      </p>
    </form>
  );
}
