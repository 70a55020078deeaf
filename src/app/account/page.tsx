import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { signOut } from "@/server/auth/sign-out";
import { PageShell } from "@/components/booking/page-shell";
import { StatusBadge } from "@/components/booking/status-badge";
import { buttonClasses } from "@/components/ui/button";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatSlotRange } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import { listOwnReservations, type OwnReservation } from "@/server/account/reservations";
import { requirePageRole } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("account");
  return { title: t("title"), robots: { index: false } };
}

/** A signed-in person's own bookings (any role: staff book for themselves too), read under RLS. */
export default async function AccountPage() {
  const viewer = await requirePageRole(["user", "staff", "admin"], "/account");
  const t = await getTranslations("account");
  const locale = await getCurrentLocale();
  const { BUSINESS_TIMEZONE: timeZone } = getEnv();
  const own = await listOwnReservations(viewer);
  const now = clock.now().getTime();
  const upcoming = own.filter((r) => Date.parse(r.endsAt) > now).reverse();
  const past = own.filter((r) => Date.parse(r.endsAt) <= now);

  const list = (items: OwnReservation[], label: string, testId: string) => (
    <section aria-labelledby={`${testId}-heading`} className="mt-8">
      <h2 id={`${testId}-heading`} className="text-lg font-semibold text-stone-900">
        {label}
      </h2>
      {items.length === 0 ? (
        <p className="mt-2 text-sm text-stone-600">{t("empty")}</p>
      ) : (
        <ul className="mt-3 divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white" data-testid={testId}>
          {items.map((r) => (
            <li key={r.id}>
              <Link
                href={r.managePath}
                className="flex flex-wrap items-center justify-between gap-3 p-4 hover:bg-stone-50"
              >
                <div>
                  <p className="font-semibold text-stone-900">{locale === "en" ? r.serviceNameEn : r.serviceNameJa}</p>
                  <p className="text-sm text-stone-600">{formatSlotRange(r.startsAt, r.endsAt, locale, timeZone)}</p>
                  <p className="font-mono text-xs text-stone-500">{r.code}</p>
                </div>
                <div className="flex items-center gap-3">
                  <span className="text-sm text-stone-700">{formatMoney(r.amount, locale)}</span>
                  <StatusBadge status={r.status} />
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  return (
    <PageShell>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight text-stone-900">{t("title")}</h1>
          <p className="mt-1 text-sm text-stone-600" data-testid="account-email">
            {t("signedInAs", { email: viewer.email ?? "" })}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {viewer.role !== "user" ? (
            <Link href="/manage" className={buttonClasses("secondary")}>
              {t("manage")}
            </Link>
          ) : null}
          <Link href="/#services" className={buttonClasses("primary")}>
            {t("book")}
          </Link>
          <form action={signOut}>
            <button type="submit" className={buttonClasses("ghost")}>
              {t("signOut")}
            </button>
          </form>
        </div>
      </div>
      {list(upcoming, t("upcoming"), "account-upcoming")}
      {list(past, t("past"), "account-past")}
      <p className="mt-8 text-xs text-stone-500">{t("guestNote")}</p>
    </PageShell>
  );
}
