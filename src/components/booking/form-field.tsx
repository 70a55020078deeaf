import type { ReactElement, ReactNode } from "react";
import { cloneElement } from "react";
import { useTranslations } from "next-intl";

export const inputClasses =
  "block w-full min-h-11 rounded-lg border border-stone-300 bg-white px-3 py-2 text-base text-stone-900 shadow-sm " +
  "placeholder:text-stone-400 aria-invalid:border-red-600 aria-invalid:ring-1 aria-invalid:ring-red-600";

type ControlProps = { id?: string; "aria-describedby"?: string; "aria-invalid"?: boolean; "aria-required"?: boolean };

/**
 * Label, hint and error around one form control. The control gets its id, aria-describedby (hint + error) and
 * aria-invalid from here, so every field is wired the same way.
 */
export function FormField({
  id,
  label,
  hint,
  error,
  optional,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  optional?: boolean;
  children: ReactElement<ControlProps>;
}) {
  const t = useTranslations("common");
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="flex items-baseline gap-2 text-sm font-semibold text-stone-900">
        {label}
        <span className={optional ? "text-xs font-normal text-stone-500" : "text-xs font-medium text-accent-500"}>
          {optional ? t("optional") : t("required")}
        </span>
      </label>
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-stone-600">
          {hint}
        </p>
      ) : null}
      <div className="mt-2">
        {cloneElement(children, {
          id,
          "aria-describedby": describedBy,
          "aria-invalid": error ? true : undefined,
          "aria-required": optional ? undefined : true,
        })}
      </div>
      {error ? (
        <p id={errorId} className="mt-1.5 flex gap-1 text-sm font-medium text-red-700">
          <span aria-hidden>⚠</span>
          {error}
        </p>
      ) : null}
    </div>
  );
}
