import { useTranslations } from "next-intl";
import type { ComponentProps } from "react";
import { inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";

/** The e-mail address input of the sign-in and sign-up forms (a FormField gives it its id and aria wiring). */
export function EmailInput(props: ComponentProps<"input">) {
  return <input name="email" type="email" autoComplete="email" required className={inputClasses} {...props} />;
}

/** A full-width submit button that says it is working while its action runs. */
export function AuthSubmit({ pending, label }: { pending: boolean; label: string }) {
  const t = useTranslations("auth");
  return (
    <Button type="submit" disabled={pending} className="w-full">
      {pending ? t("signIn.working") : label}
    </Button>
  );
}
