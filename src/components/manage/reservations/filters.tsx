import { useTranslations } from "next-intl";
import Form from "next/form";
import Link from "next/link";
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
  const label = "block text-sm font-semibold text-stone-900";
  return (
    <Form
      action="/manage/reservations"
      aria-label={t("filters.label")}
      className="rounded-2xl border border-stone-200 bg-white p-4 shadow-sm"
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2">
          <label htmlFor="rf-q" className={label}>
            {t("filters.q")}
          </label>
          <input
            id="rf-q"
            name="q"
            type="search"
            defaultValue={values.q ?? ""}
            maxLength={100}
            aria-describedby="rf-q-hint"
            className={cn(inputClasses, "mt-1")}
          />
          <p id="rf-q-hint" className="mt-1 text-xs text-stone-600">
            {t("filters.qHint")}
          </p>
        </div>
        <div>
          <label htmlFor="rf-service" className={label}>
            {t("filters.service")}
          </label>
          <select
            id="rf-service"
            name="serviceId"
            defaultValue={values.serviceId ?? ""}
            className={cn(inputClasses, "mt-1")}
          >
            <option value="">{t("filters.allServices")}</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.active ? s.name : t("filters.inactive", { name: s.name })}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="rf-payment" className={label}>
            {t("filters.payment")}
          </label>
          <select
            id="rf-payment"
            name="payment"
            defaultValue={values.payment ?? ""}
            className={cn(inputClasses, "mt-1")}
          >
            <option value="">{t("filters.anyPayment")}</option>
            {paymentFilters.map((p) => (
              <option key={p} value={p}>
                {t(`payment.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="rf-from" className={label}>
            {t("filters.from")}
          </label>
          <input
            id="rf-from"
            name="from"
            type="date"
            defaultValue={day(values.from)}
            className={cn(inputClasses, "mt-1")}
          />
        </div>
        <div>
          <label htmlFor="rf-to" className={label}>
            {t("filters.to")}
          </label>
          <input id="rf-to" name="to" type="date" defaultValue={day(values.to)} className={cn(inputClasses, "mt-1")} />
        </div>
        <div>
          <label htmlFor="rf-sort" className={label}>
            {t("filters.sort")}
          </label>
          <select
            id="rf-sort"
            name="sort"
            defaultValue={values.sort ?? "-createdAt"}
            className={cn(inputClasses, "mt-1")}
          >
            {reservationSorts.map((s) => (
              <option key={s} value={s}>
                {t(`sorts.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="rf-size" className={label}>
            {t("filters.pageSize")}
          </label>
          <select
            id="rf-size"
            name="pageSize"
            defaultValue={values.pageSize ?? "25"}
            className={cn(inputClasses, "mt-1")}
          >
            {pageSizes.map((n) => (
              <option key={n} value={n}>
                {t("filters.perPage", { count: n })}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="sm:col-span-2 lg:col-span-4">
          <legend className={label}>{t("filters.status")}</legend>
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
