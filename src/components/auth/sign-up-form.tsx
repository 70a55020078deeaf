"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { signUp } from "@/server/auth/actions";
import { errorText } from "@/components/auth/error-text";
import { FormField, inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { AuthSubmit, EmailInput } from "@/components/auth/auth-fields";

export function SignUpForm({ next }: { next: string }) {
  const t = useTranslations("auth");
  const [state, action, pending] = useActionState(signUp, {});
  if (state.notice === "confirm_email") {
    return (
      <Notice tone="success" role="status">
        {t("signUp.confirmEmail")}
      </Notice>
    );
  }
  const fieldError = (field: "name" | "email" | "password") =>
    state.field === field ? errorText(t, state) : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <FormField id="name" label={t("fields.name")} error={fieldError("name")}>
        <input
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          defaultValue={state.values?.name}
          className={inputClasses}
        />
      </FormField>
      <FormField id="email" label={t("fields.email")} error={fieldError("email")}>
        <EmailInput defaultValue={state.values?.email} />
      </FormField>
      <FormField
        id="password"
        label={t("fields.password")}
        hint={t("signUp.passwordHint")}
        error={fieldError("password")}
      >
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          className={inputClasses}
        />
      </FormField>
      <AuthSubmit pending={pending} label={t("signUp.submit")} />
      <p className="text-sm text-stone-600">
        {t("signUp.haveAccount")}{" "}
        <Link href="/sign-in" className="font-semibold text-brand-700 underline underline-offset-4">
          {t("signUp.signInLink")}
        </Link>
      </p>
    </form>
  );
}
