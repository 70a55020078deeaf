import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { PageShell } from "@/components/booking/page-shell";
import { StatusBadge } from "@/components/booking/status-badge";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatDateTime, formatDay, formatSlotRange, formatTime, groupByDay } from "@/lib/format-datetime";
import type { Locale } from "@/lib/locale";
import { formatMoney } from "@/lib/money";
import { addDays, localDateOf, zonedInstant } from "@/lib/time";
import { listSlots } from "@/server/booking/availability";
import { customerMayChange } from "@/server/booking/policy";
import type { ReservationView } from "@/server/booking/read";
import { AccessProblem } from "./access-problem";
import { CancelPanel } from "./cancel-panel";
import { ResendConfirmation } from "./resend-button";
import { isReservationCodeShape, loadReservation } from "./load";
import { ReschedulePanel, type RescheduleDay } from "./reschedule-panel";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ code: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: `${t("manage.heading")} | ${t("meta.title")}` };
}

/** The manage page behind the link in the confirmation email: view, reschedule, cancel. */
export default async function ManageReservationPage({ params, searchParams }: Props) {
  const { code } = await params;
  if (!isReservationCodeShape(code)) notFound();
  const { token, done, booked } = await searchParams;
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
  const { BUSINESS_TIMEZONE: timeZone, CANCELLATION_DEADLINE_HOURS: deadlineHours } = getEnv();
  const now = clock.now();
  const active = r.status === "held" || r.status === "confirmed";
  const changeable = active && customerMayChange(new Date(r.slot.startsAt), now);
  const slotsHref = `/services/${r.service.slug}`;
  const when = formatSlotRange(r.slot.startsAt, r.slot.endsAt, locale, timeZone);
  const captured =
    r.payment && ["succeeded", "partially_refunded", "refunded"].includes(r.payment.status) ? r.payment : null;
  const money = (amount: number) => formatMoney({ amount, currency: r.amount.currency }, locale);
  const refundable = captured && r.status === "confirmed" ? captured.amount - captured.amountRefunded : 0;

  return (
    <PageShell>
      {done === "cancelled" && r.status === "cancelled" ? (
        <Notice tone="success" role="status" className="mt-4" title={t("manage.cancelDone")} />
      ) : done === "rescheduled" && active ? (
        <Notice tone="success" role="status" className="mt-4" title={t("manage.rescheduleDone", { when })} />
      ) : booked === "1" && r.status === "confirmed" ? (
        <Notice tone="success" role="status" className="mt-4" title={t("manage.bookedTitle")}>
          <p>{t("manage.bookedBody", { email: r.customer.email })}</p>
        </Notice>
      ) : null}

      <div className="mt-6 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold text-brand-900 sm:text-3xl">{t("manage.heading")}</h1>
        <StatusBadge status={r.status} />
      </div>

      {r.status === "held" && r.holdExpiresAt ? (
        <Notice tone="warning" className="mt-4">
          <p>{t("manage.heldNotice", { time: formatDateTime(r.holdExpiresAt, locale, timeZone) })}</p>
          <Link
            href={`/reservations/${encodeURIComponent(r.code)}/pay?${new URLSearchParams({ token })}`}
            className={buttonClasses("primary", "mt-3")}
          >
            {t("manage.goToPay")}
          </Link>
        </Notice>
      ) : null}
      {r.status === "cancelled" || r.status === "expired" ? (
        <Notice className="mt-4">
          <p>{r.status === "cancelled" ? t("manage.cancelledNotice") : t("manage.expiredNotice")}</p>
          <Link href={slotsHref} className={buttonClasses("secondary", "mt-3")}>
            {t("manage.bookAgain")}
          </Link>
        </Notice>
      ) : null}

      <Card className="mt-6 p-5 sm:p-6">
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[auto_1fr]">
          <Row label={t("manage.code")}>
            <span className="font-mono text-base font-semibold tracking-wide">{r.code}</span>
          </Row>
          <Row label={t("manage.service")}>
            <span className="font-semibold">{locale === "en" ? r.service.nameEn : r.service.nameJa}</span>
          </Row>
          <Row label={t("manage.when")}>
            <span className="font-semibold">{when}</span>
          </Row>
          <Row label={t("manage.seats")}>{t("common.seats", { count: r.quantity })}</Row>
          <Row label={t("manage.amount")}>
            {r.amount.amount === 0 ? t("common.free") : formatMoney(r.amount, locale)}
          </Row>
          {captured ? (
            <Row label={t("manage.payment")}>
              <span data-testid="payment-summary">
                {captured.amountRefunded > 0
                  ? t("manage.paidRefunded", {
                      amount: money(captured.amount),
                      refunded: money(captured.amountRefunded),
                    })
                  : t("manage.paid", { amount: money(captured.amount) })}
              </span>
            </Row>
          ) : null}
          <Row label={t("manage.name")}>{r.customer.name}</Row>
          <Row label={t("manage.email")}>{r.customer.email}</Row>
          {r.customer.phone ? <Row label={t("manage.phone")}>{r.customer.phone}</Row> : null}
        </dl>
        {active ? (
          <p className="mt-5 border-t border-stone-200 pt-4 text-xs leading-5 text-stone-600">{t("manage.keepLink")}</p>
        ) : null}
        {r.status === "confirmed" ? <ResendConfirmation id={r.id} token={token} email={r.customer.email} /> : null}
      </Card>

      {active ? (
        <section aria-labelledby="actions-heading" className="mt-10">
          <h2 id="actions-heading" className="text-xl font-bold text-brand-900">
            {t("manage.actions")}
          </h2>
          {changeable ? (
            <>
              <p className="mt-1 text-sm text-stone-600">{t("manage.deadlineNote", { hours: deadlineHours })}</p>
              <div className="mt-4 grid gap-4">
                <ReschedulePanel
                  id={r.id}
                  code={r.code}
                  token={token}
                  deadlineHours={deadlineHours}
                  quantity={r.quantity}
                  currentWhen={formatDateTime(r.slot.startsAt, locale, timeZone)}
                  days={await rescheduleOptions(r, now, locale, timeZone, t)}
                />
                <CancelPanel
                  id={r.id}
                  code={r.code}
                  token={token}
                  deadlineHours={deadlineHours}
                  refundNote={refundable > 0 ? t("manage.cancelRefund", { amount: money(refundable) }) : undefined}
                />
              </div>
            </>
          ) : (
            <Notice tone="warning" className="mt-4">
              <p>{t("manage.deadlinePassed", { hours: deadlineHours })}</p>
            </Notice>
          )}
        </section>
      ) : null}
    </PageShell>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="text-stone-600">{label}</dt>
      <dd className="-mt-2 text-stone-900 sm:mt-0">{children}</dd>
    </div>
  );
}

/** Other open slots of the same service in the next 14 days with room for the whole booking. */
async function rescheduleOptions(
  r: ReservationView,
  now: Date,
  locale: Locale,
  timeZone: string,
  t: Awaited<ReturnType<typeof getTranslations>>,
): Promise<RescheduleDay[]> {
  const until = zonedInstant(addDays(localDateOf(now, timeZone), 14), 0, 0, timeZone);
  const slots = await listSlots({ serviceId: r.service.id, from: now, to: until });
  const fits = slots.filter((s) => s.id !== r.slot.id && s.status === "open" && s.remaining >= r.quantity);
  return groupByDay(fits, timeZone).map(({ day, items }) => ({
    day,
    label: formatDay(items[0]?.startsAt ?? day, locale, timeZone),
    slots: items.map((s) => ({
      id: s.id,
      time: formatTime(s.startsAt, locale, timeZone),
      when: formatDateTime(s.startsAt, locale, timeZone),
      remaining: t("slots.remaining", { count: s.remaining }),
    })),
  }));
}
