import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Notice } from "@/components/booking/notice";
import { buttonClasses } from "@/components/ui/button";

/**
 * Filters as a plain GET form: the URL is the state (shareable, the back button works, no JavaScript needed), and
 * the list pages parse it with the same zod schema as the API. Submitting starts again at the first page.
 */

export const controlClasses =
  "block w-full min-h-11 rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 shadow-sm focus-visible:outline-2 focus-visible:outline-brand-600";

export function FilterForm({ action, children }: { action: string; children: ReactNode }) {
  const t = useTranslations("manageOps.common");
  return (
    <form
      method="get"
      action={action}
      aria-label={t("filtersLabel")}
      className="mb-4 rounded-xl border border-stone-200 bg-white p-4"
    >
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">{children}</div>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="submit" className={buttonClasses("primary")}>
          {t("filter")}
        </button>
        <Link href={action} className={buttonClasses("secondary")}>
          {t("clear")}
        </Link>
      </div>
    </form>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-semibold text-stone-800">
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-stone-500">
          {hint}
        </p>
      ) : null}
      <div className="mt-1">{children}</div>
    </div>
  );
}

export function TextFilter({
  name,
  label,
  hint,
  value,
  type = "text",
}: {
  name: string;
  label: string;
  hint?: string;
  value?: string;
  type?: "text" | "search" | "email";
}) {
  const id = `filter-${name}`;
  return (
    <Field id={id} label={label} hint={hint}>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={value ?? ""}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className={controlClasses}
      />
    </Field>
  );
}

export function DateFilter({ name, label, value }: { name: string; label: string; value?: string }) {
  const id = `filter-${name}`;
  // A day (YYYY-MM-DD) is what the date input holds; an instant from a shared link is shown as its day part.
  return (
    <Field id={id} label={label}>
      <input id={id} name={name} type="date" defaultValue={value?.slice(0, 10) ?? ""} className={controlClasses} />
    </Field>
  );
}

export function SelectFilter({
  name,
  label,
  value,
  options,
}: {
  name: string;
  label: string;
  value?: string;
  options: { value: string; label: string }[];
}) {
  const t = useTranslations("manageOps.common");
  const id = `filter-${name}`;
  return (
    <Field id={id} label={label}>
      <select id={id} name={name} defaultValue={value ?? ""} className={controlClasses}>
        <option value="">{t("all")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Shown when a shared link carried a filter the schema rejects: the list still renders, without that filter. */
export function InvalidFilters({ fields }: { fields: string[] }) {
  const t = useTranslations("manageOps.common");
  if (fields.length === 0) return null;
  return (
    <Notice tone="warning" className="mb-4">
      {t("invalidFilter", { fields: fields.join(", ") })}
    </Notice>
  );
}
