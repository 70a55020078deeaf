import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { ManagePageHeader } from "@/components/manage/page-header";
import { ReservationFilters } from "@/components/manage/reservations/filters";
import { exportHref, flatListParams, type PageSearchParams } from "@/components/manage/reservations/list-params";
import { Pagination } from "@/components/manage/reservations/pagination";
import { ReservationTable } from "@/components/manage/reservations/reservation-table";
import { buttonClasses } from "@/components/ui/button";
import { getCurrentLocale } from "@/i18n/current-locale";
import { getEnv } from "@/lib/env";
import { listServiceOptions } from "@/server/admin/reservation-options";
import { reservationQuery } from "@/server/admin/reservation-query";
import { searchReservations } from "@/server/admin/reservations";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageReservations.meta");
  return { title: t("list") };
}

/**
 * /manage/reservations: search, filters, sort and pages, all in the address (the same query as
 * GET /api/admin/reservations, parsed with the same schema), read as the staff member under RLS. Filters that do not
 * parse are said plainly next to the form instead of failing the page.
 */
export default async function ReservationsPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage/reservations");
  const t = await getTranslations("manageReservations");
  const locale = await getCurrentLocale();
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const params = flatListParams(await searchParams);
  const parsed = reservationQuery.safeParse(params);
  const services = (await listServiceOptions(viewer)).map((s) => ({
    id: s.id,
    name: locale === "en" ? s.nameEn : s.nameJa,
    active: s.active,
  }));
  const result = parsed.success ? await searchReservations(viewer, parsed.data) : null;
  const filtered = Object.keys(params).some((k) => k !== "page" && k !== "pageSize" && k !== "sort");

  return (
    <>
      <ManagePageHeader
        title={t("list.title")}
        description={t("list.description", { timeZone })}
        actions={
          parsed.success ? (
            <a href={exportHref(params)} className={buttonClasses("secondary")} aria-describedby="export-hint">
              {t("list.export")}
            </a>
          ) : null
        }
      />
      <p id="export-hint" className="sr-only">
        {t("list.exportHint")}
      </p>
      <ReservationFilters key={new URLSearchParams(params).toString()} values={params} services={services} />

      {!parsed.success ? (
        <Notice tone="error" role="alert" title={t("list.invalid")} className="mt-6">
          <p>{t("list.invalidHint")}</p>
          <ul className="mt-2 list-disc pl-5">
            {parsed.error.issues.map((issue, i) => (
              <li key={i}>
                <code className="font-mono">{issue.path.join(".") || "query"}</code>: {issue.message}
              </li>
            ))}
          </ul>
        </Notice>
      ) : result && result.reservations.length === 0 ? (
        <Notice className="mt-6">{filtered || result.total > 0 ? t("list.emptyFiltered") : t("list.empty")}</Notice>
      ) : result ? (
        <div className="mt-6 space-y-3">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-stone-700" role="status">
              {t("list.count", {
                total: result.total.toLocaleString(locale === "en" ? "en-US" : "ja-JP"),
                from: (result.page - 1) * result.pageSize + 1,
                to: (result.page - 1) * result.pageSize + result.reservations.length,
              })}
            </p>
            <Pagination params={params} page={result.page} pageSize={result.pageSize} total={result.total} />
          </div>
          <ReservationTable
            rows={result.reservations}
            params={params}
            sort={parsed.data.sort}
            locale={locale}
            timeZone={timeZone}
          />
          <div className="flex justify-end">
            <Pagination params={params} page={result.page} pageSize={result.pageSize} total={result.total} />
          </div>
        </div>
      ) : null}
    </>
  );
}
