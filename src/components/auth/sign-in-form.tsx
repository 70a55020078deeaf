"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { sendSignInCode, signInWithPassword, verifySignInCode, type AuthFormState } from "@/server/auth/actions";
import { errorText } from "@/components/auth/error-text";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { AuthSubmit, EmailInput } from "@/components/auth/auth-fields";

/** Password or emailed code; both end in the same cookie session. */
export function SignInForm({ next }: { next: string }) {
  const t = useTranslations("auth");
  const [mode, setMode] = useState<"password" | "code">("password");
  return (
    <div className="space-y-6">
      <div
        role="tablist"
        aria-label={t("signIn.methods")}
        className="grid grid-cols-2 gap-1 rounded-lg bg-stone-100 p-1"
      >
        {(["password", "code"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={`min-h-11 rounded-md text-sm font-semibold ${mode === m ? "bg-white text-brand-800 shadow-sm" : "text-stone-600"}`}
          >
            {t(`signIn.tab.${m}`)}
          </button>
        ))}
      </div>
      {mode === "password" ? <PasswordForm next={next} /> : <CodeForm next={next} />}
      <p className="text-sm text-stone-600">
        {t("signIn.noAccount")}{" "}
        <Link
          href={`/sign-up${next ? `?next=${encodeURIComponent(next)}` : ""}`}
          className="font-semibold text-brand-700 underline underline-offset-4"
        >
          {t("signIn.signUpLink")}
        </Link>
      </p>
    </div>
  );
}

function ErrorNotice({ state }: { state: AuthFormState }) {
  const t = useTranslations("auth");
  const text = errorText(t, state);
  if (!text) return null;
  return (
    <Notice tone="error" role="alert">
      {text}
    </Notice>
  );
}

function PasswordForm({ next }: { next: string }) {
  const t = useTranslations("auth");
  const [state, action, pending] = useActionState(signInWithPassword, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <FormField id="email" label={t("fields.email")} error={state.field === "email" ? errorText(t, state) : undefined}>
        <EmailInput defaultValue={state.values?.email} />
      </FormField>
      <FormField id="password" label={t("fields.password")}>
        <input name="password" type="password" autoComplete="current-password" required className={inputClasses} />
      </FormField>
      <ErrorNotice state={state} />
      <AuthSubmit pending={pending} label={t("signIn.submit")} />
    </form>
  );
}

function CodeForm({ next }: { next: string }) {
  const t = useTranslations("auth");
  const [sent, send, sending] = useActionState(sendSignInCode, {});
  const [verified, verify, verifying] = useActionState(verifySignInCode, {});
  const email = verified.codeSentTo ?? sent.codeSentTo;
  if (!email) {
    return (
      <form action={send} className="space-y-4" noValidate>
        <input type="hidden" name="next" value={next} />
        <FormField id="code-email" label={t("fields.email")} hint={t("signIn.codeHint")}>
          <EmailInput defaultValue={sent.values?.email} />
        </FormField>
        <ErrorNotice state={sent} />
        <AuthSubmit pending={sending} label={t("signIn.sendCode")} />
      </form>
    );
  }
  return (
    <form action={verify} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <input type="hidden" name="email" value={email} />
      <Notice tone="info" role="status">
        {t("signIn.codeSent", { email })}
      </Notice>
      <FormField id="code" label={t("fields.code")}>
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          required
          className={inputClasses}
        />
      </FormField>
      <ErrorNotice state={verified} />
      <AuthSubmit pending={verifying} label={t("signIn.verifyCode")} />
    </form>
  );
}
