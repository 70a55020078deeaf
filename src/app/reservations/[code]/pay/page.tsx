import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { PageShell } from "@/components/booking/page-shell";
import { StatusBadge } from "@/components/booking/status-badge";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatDateTime, formatSlotRange, formatTime } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import { AccessProblem } from "../access-problem";
import { loadReservation, manageHref } from "../load";
import { HoldPanel } from "./hold-panel";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ code: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: `${t("pay.heading")} | ${t("meta.title")}` };
}

/**
 * The payment step. Payments arrive with a later issue, so today this page says so plainly, shows the amount and
 * keeps the hold countdown honest: when it runs out the page says the seats were released.
 */
export default async function PayPage({ params, searchParams }: Props) {
  const { code } = await params;
  const { token } = await searchParams;
  const loaded = await loadReservation(code, token);
  if (loaded.kind !== "ok" || typeof token !== "string") {
    return (
      <PageShell>
        <AccessProblem kind={loaded.kind === "ok" ? "missing_token" : loaded.kind} />
      </PageShell>
    );
  }

  const r = loaded.reservation;
  const locale = await getCurrentLocale();
  const t = await getTranslations();
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const slotsHref = `/services/${r.service.slug}`;
  const manage = manageHref(r.code, token);
  const serviceName = locale === "en" ? r.service.nameEn : r.service.nameJa;
  const amount = formatMoney(r.amount, locale);

  return (
    <PageShell>
      <div className="mt-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold text-brand-900 sm:text-3xl">{t("pay.heading")}</h1>
        <StatusBadge status={r.status} />
      </div>

      <Card className="mt-6 p-5">
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-stone-600">{t("manage.code")}</dt>
          <dd className="font-mono font-semibold tracking-wide text-stone-900">{r.code}</dd>
          <dt className="text-stone-600">{t("manage.service")}</dt>
          <dd className="font-semibold text-stone-900">{serviceName}</dd>
          <dt className="text-stone-600">{t("manage.when")}</dt>
          <dd className="text-stone-900">{formatSlotRange(r.slot.startsAt, r.slot.endsAt, locale, timeZone)}</dd>
          <dt className="text-stone-600">{t("manage.seats")}</dt>
          <dd className="text-stone-900">{t("common.seats", { count: r.quantity })}</dd>
          <dt className="text-stone-600">{t("pay.amount")}</dt>
          <dd className="text-lg font-bold text-brand-900">{amount}</dd>
        </dl>
      </Card>

      {(r.status === "held" || r.status === "expired") && r.holdExpiresAt ? (
        <HoldPanel
          status={r.status}
          holdExpiresAt={r.holdExpiresAt}
          serverNow={clock.now().toISOString()}
          holdUntilLabel={formatTime(r.holdExpiresAt, locale, timeZone)}
          slotsHref={slotsHref}
        >
          <Notice className="mt-6" title={t("pay.comingSoonTitle")}>
            <p>{t("pay.comingSoonBody")}</p>
            <p className="mt-2 font-semibold">
              {t("pay.amount")}: {amount}
            </p>
            <p className="mt-1 text-xs opacity-80">{t("manage.heldNotice", { time: formatDateTime(r.holdExpiresAt, locale, timeZone) })}</p>
          </Notice>
        </HoldPanel>
      ) : r.status === "confirmed" ? (
        <Notice tone="success" className="mt-6" title={t("pay.confirmedTitle")}>
          <p>{t("pay.confirmedBody")}</p>
        </Notice>
      ) : (
        <Notice tone="warning" className="mt-6" title={t("pay.cancelledTitle")}>
          <p>{t("pay.cancelledBody")}</p>
          <Link href={slotsHref} className={buttonClasses("primary", "mt-3")}>
            {t("pay.chooseAgain")}
          </Link>
        </Notice>
      )}

      <Link href={manage} className={buttonClasses("secondary", "mt-6")}>
        {t("pay.viewReservation")}
      </Link>
    </PageShell>
  );
}
