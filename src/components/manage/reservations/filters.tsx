import { useTranslations } from "next-intl";
import Form from "next/form";
import Link from "next/link";
import type { ReactNode } from "react";
import { inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import { pageSizes, paymentFilters, reservationSorts, reservationStatuses } from "@/lib/schemas/reservation-list";

type Service = { id: string; name: string; active: boolean };

/**
 * The list's filters as a GET form (next/form: a client-side navigation once scripts have loaded, a plain GET before):
 * submitting loads the same page with the filters in the address, so a filtered list can be shared, bookmarked and
 * left with the back button. Submitting starts again at page 1 (the form carries no page). The page gives it a key
 * from the address, so its fields show the filters in force after a link or the back button changed them.
 */
export function ReservationFilters({ values, services }: { values: Record<string, string>; services: Service[] }) {
  const t = useTranslations("manageReservations");
  const statuses = new Set((values.status ?? "").split(",").filter(Boolean));
  const day = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "");
  return (
    <Form
      action="/manage/reservations"
      aria-label={t("filters.label")}
      className="rounded-2xl border border-stone-200 bg-white p-4 shadow-sm"
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Filter id="rf-q" label={t("filters.q")} className="sm:col-span-2">
          <input
            id="rf-q"
            name="q"
            type="search"
            defaultValue={values.q ?? ""}
            maxLength={100}
            aria-describedby="rf-q-hint"
            className={control}
          />
          <p id="rf-q-hint" className="mt-1 text-xs text-stone-600">
            {t("filters.qHint")}
          </p>
        </Filter>
        <FilterSelect
          id="rf-service"
          label={t("filters.service")}
          name="serviceId"
          defaultValue={values.serviceId ?? ""}
          options={[
            ["", t("filters.allServices")],
            ...services.map((s) => [s.id, s.active ? s.name : t("filters.inactive", { name: s.name })] as const),
          ]}
        />
        <FilterSelect
          id="rf-payment"
          label={t("filters.payment")}
          name="payment"
          defaultValue={values.payment ?? ""}
          options={[["", t("filters.anyPayment")], ...paymentFilters.map((p) => [p, t(`payment.${p}`)] as const)]}
        />
        <Filter id="rf-from" label={t("filters.from")}>
          <input id="rf-from" name="from" type="date" defaultValue={day(values.from)} className={control} />
        </Filter>
        <Filter id="rf-to" label={t("filters.to")}>
          <input id="rf-to" name="to" type="date" defaultValue={day(values.to)} className={control} />
        </Filter>
        <FilterSelect
          id="rf-sort"
          label={t("filters.sort")}
          name="sort"
          defaultValue={values.sort ?? "-createdAt"}
          options={reservationSorts.map((s) => [s, t(`sorts.${s}`)] as const)}
        />
        <FilterSelect
          id="rf-size"
          label={t("filters.pageSize")}
          name="pageSize"
          defaultValue={values.pageSize ?? "25"}
          options={pageSizes.map((n) => [String(n), t("filters.perPage", { count: n })] as const)}
        />
        <fieldset className="sm:col-span-2 lg:col-span-4">
          <legend className={labelClasses}>{t("filters.status")}</legend>
          <div className="mt-1 flex flex-wrap gap-x-4">
            {reservationStatuses.map((s) => (
              <label key={s} className="flex min-h-11 items-center gap-2 text-sm text-stone-800">
                <input type="checkbox" name="status" value={s} defaultChecked={statuses.has(s)} className="size-5" />
                {t(`status.${s}`)}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-2">
        <Button type="submit">{t("filters.apply")}</Button>
        <Link
          href="/manage/reservations"
          className="inline-flex min-h-11 items-center rounded-lg px-4 text-sm font-semibold text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
        >
          {t("filters.clear")}
        </Link>
      </div>
    </Form>
  );
}

const labelClasses = "block text-sm font-semibold text-stone-900";
const control = cn(inputClasses, "mt-1");

/** One labelled filter in the grid; the control inside carries the same id. */
function Filter({
  id,
  label,
  className,
  children,
}: {
  id: string;
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClasses}>
        {label}
      </label>
      {children}
    </div>
  );
}

/** A labelled filter select, its options given as [value, label] pairs. */
function FilterSelect({
  id,
  label,
  name,
  defaultValue,
  options,
}: {
  id: string;
  label: string;
  name: string;
  defaultValue: string;
  options: ReadonlyArray<readonly [string, string]>;
}) {
  return (
    <Filter id={id} label={label}>
      <select id={id} name={name} defaultValue={defaultValue} className={control}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Filter>
  );
}
