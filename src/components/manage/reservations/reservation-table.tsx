import { useTranslations } from "next-intl";
import Link from "next/link";
import { formatDateTime, formatSlotRange } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import type { ReservationSort } from "@/lib/schemas/reservation-list";
import type { AdminReservationRow } from "@/server/admin/reservations";
import { PaymentStatus, ReservationStatus } from "./badges";
import { listHref } from "./list-params";

type Props = {
  rows: AdminReservationRow[];
  params: Record<string, string>;
  sort: ReservationSort;
  locale: string;
  timeZone: string;
};

/**
 * The result table. It scrolls sideways inside its frame on narrow screens (a tablet in portrait) instead of
 * squeezing columns; the code links to the detail page; sortable headers are links that keep the filters and go
 * back to page 1, with aria-sort on the current one.
 */
export function ReservationTable({ rows, params, sort, locale, timeZone }: Props) {
  const t = useTranslations("manageReservations.list");
  const money = (amount: number, currency: string) => formatMoney({ amount, currency }, locale);
  const sortable = (column: "code" | "startsAt" | "createdAt", label: string) => {
    const current = sort === column ? "ascending" : sort === `-${column}` ? "descending" : undefined;
    const next = sort === column ? `-${column}` : column;
    return (
      <th scope="col" aria-sort={current ?? "none"} className="px-3 py-2">
        <Link
          href={listHref(params, { sort: next, page: undefined })}
          className="inline-flex min-h-11 items-center gap-1 hover:underline"
          aria-label={t("sortBy", { column: label })}
        >
          {label}
          <span aria-hidden className="text-stone-400">
            {current === "ascending" ? "▲" : current === "descending" ? "▼" : "↕"}
          </span>
        </Link>
      </th>
    );
  };

  const plain = (label: string, right?: boolean) => (
    <th scope="col" className={right ? "px-3 py-2 text-right" : "px-3 py-2"}>
      {label}
    </th>
  );

  return (
    <div
      className="overflow-x-auto rounded-2xl border border-stone-200 bg-white shadow-sm"
      role="region"
      aria-label={t("tableLabel")}
      tabIndex={0}
    >
      <table className="w-full min-w-[64rem] text-left text-sm">
        <thead className="bg-stone-50 text-xs font-semibold text-stone-600">
          <tr>
            {sortable("code", t("code"))}
            {plain(t("status"))}
            {sortable("startsAt", t("when"))}
            {plain(t("service"))}
            {plain(t("customer"))}
            {plain(t("guests"), true)}
            {plain(t("amount"), true)}
            {plain(t("payment"))}
            {sortable("createdAt", t("createdAt"))}
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {rows.map((r) => (
            <tr key={r.id} className="align-top hover:bg-stone-50">
              <td className="px-3 py-1">
                <Link
                  href={`/manage/reservations/${r.id}`}
                  className="inline-flex min-h-11 items-center font-mono font-semibold text-brand-800 underline-offset-2 hover:underline"
                >
                  {r.code}
                </Link>
              </td>
              <td className="px-3 py-3">
                <ReservationStatus status={r.status} />
              </td>
              <td className="px-3 py-3 whitespace-nowrap">
                {formatSlotRange(r.slot.startsAt, r.slot.endsAt, locale, timeZone)}
              </td>
              <td className="px-3 py-3">{locale === "en" ? r.service.nameEn : r.service.nameJa}</td>
              <td className="px-3 py-3">
                <div className="font-medium text-stone-900">{r.customer.name}</div>
                <div className="text-xs break-all text-stone-600">{r.customer.email}</div>
                {r.customer.phone ? <div className="text-xs text-stone-600">{r.customer.phone}</div> : null}
              </td>
              <td className="px-3 py-3 text-right">{t("guestsCount", { count: r.quantity })}</td>
              <td className="px-3 py-3 text-right whitespace-nowrap">{money(r.amount.amount, r.amount.currency)}</td>
              <td className="px-3 py-3">
                <PaymentStatus status={r.payment?.status ?? null} late={r.payment?.latePayment} />
                {r.payment && r.payment.amountRefunded > 0 ? (
                  <div className="mt-1 text-xs text-stone-600">
                    {t("refunded", { amount: money(r.payment.amountRefunded, r.amount.currency) })}
                  </div>
                ) : null}
              </td>
              <td className="px-3 py-3 whitespace-nowrap text-stone-600">
                {formatDateTime(r.createdAt, locale, timeZone)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
