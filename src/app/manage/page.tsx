import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/booking/status-badge";
import { ManagePageHeader } from "@/components/manage/page-header";
import { Pill, RowLink, toneOf } from "@/components/manage/ops/ui";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { formatMoney } from "@/lib/money";
import { getDashboard, type BookingItem } from "@/server/admin/dashboard";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

const reservationHref = (id: string) => `/manage/reservations/${encodeURIComponent(id)}`;

/** What needs a person today: bookings, holds awaiting payment, failed notifications, refunds and staff alerts. */
export default async function DashboardPage() {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage");
  const [data, t, kinds, statuses, format, locale] = await Promise.all([
    getDashboard(viewer),
    getTranslations("manageOps.dashboard"),
    getTranslations("manageOps.kinds"),
    getTranslations("manageOps.notificationStatus"),
    getFormatter(),
    getLocale(),
  ]);
  const time = (iso: string) =>
    format.dateTime(new Date(iso), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dayTime = (iso: string) =>
    format.dateTime(new Date(iso), {
      month: "short",
      day: "numeric",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
  const serviceName = (b: BookingItem) => (locale === "en" ? b.serviceNameEn : b.serviceNameJa);
  const booking = (b: BookingItem, when: string, extra?: ReactNode) => (
    <li key={b.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1">
      <span className="w-28 shrink-0 font-medium text-stone-700 tabular-nums">{when}</span>
      <RowLink href={reservationHref(b.id)} className="font-mono text-xs">
        {b.code}
      </RowLink>
      <span className="min-w-0 flex-1 truncate text-stone-800">
        {b.customerName} · {t("people", { count: b.quantity })} · {serviceName(b)}
      </span>
      {extra ?? <StatusBadge status={b.status} className="px-2 py-0.5 text-xs" />}
    </li>
  );
  const kindLabel = (kind: string) => (kinds.has(kind) ? kinds(kind as "confirmed") : kind);
  const statusLabel = (status: string) => (statuses.has(status) ? statuses(status as "failed") : status);

  return (
    <>
      <ManagePageHeader
        title={t("title")}
        description={t("description", {
          date: format.dateTime(new Date(data.generatedAt), { dateStyle: "full" }),
          timeZone: data.timeZone,
        })}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Block id="today" title={t("today")} list={data.todayBookings}>
          {data.todayBookings.items.map((b) => booking(b, time(b.startsAt)))}
        </Block>
        <Block id="upcoming" title={t("upcoming")} list={data.upcomingBookings}>
          {data.upcomingBookings.items.map((b) => booking(b, dayTime(b.startsAt)))}
        </Block>
        <Block id="holds" title={t("holds")} list={data.holds} attention={data.holds.items.some((h) => h.overdue)}>
          {data.holds.items.map((h) =>
            booking(
              h,
              dayTime(h.startsAt),
              <Pill tone={h.overdue ? "bad" : "warn"}>
                {h.overdue ? t("overdue") : t("expires", { time: time(h.holdExpiresAt) })}
              </Pill>,
            ),
          )}
        </Block>
        <Block id="failed" title={t("failedNotifications")} list={data.failedNotifications} attention>
          {data.failedNotifications.items.map((n) => (
            <li key={n.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1">
              <span className="w-28 shrink-0 text-stone-700 tabular-nums">{dayTime(n.createdAt)}</span>
              <RowLink href={`/manage/notifications/${n.id}`}>{kindLabel(n.kind)}</RowLink>
              <span className="min-w-0 flex-1 truncate text-stone-800" title={n.lastError ?? undefined}>
                {n.recipient}
              </span>
              <Pill tone={toneOf(n.status)}>{statusLabel(n.status)}</Pill>
            </li>
          ))}
        </Block>
        <Block id="refunds" title={t("refunds")} list={data.recentRefunds}>
          {data.recentRefunds.items.map((f) => (
            <li key={f.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1">
              <span className="w-28 shrink-0 text-stone-700 tabular-nums">{dayTime(f.createdAt)}</span>
              <RowLink href={reservationHref(f.reservationId)} className="font-mono text-xs">
                {f.code}
              </RowLink>
              <span className="font-semibold text-stone-900 tabular-nums">
                {formatMoney({ amount: f.amount, currency: f.currency }, locale)}
              </span>
              <span className="min-w-0 flex-1 truncate text-stone-600">{f.reason}</span>
              <Pill tone={toneOf(f.status)}>{f.status}</Pill>
            </li>
          ))}
        </Block>
        <Block id="alerts" title={t("alerts")} list={data.staffAlerts} attention>
          {data.staffAlerts.items.map((a) => (
            <li key={a.id} className="py-1">
              <div className="flex flex-wrap items-center gap-x-3">
                <span className="w-28 shrink-0 text-stone-700 tabular-nums">{dayTime(a.occurredAt)}</span>
                {a.kind ? <Pill tone="bad">{a.kind}</Pill> : null}
                <RowLink href={reservationHref(a.reservationId)} className="text-xs">
                  {a.reservationId.slice(0, 8)}
                </RowLink>
              </div>
              {a.message ? <p className="text-sm text-stone-800">{a.message}</p> : null}
            </li>
          ))}
        </Block>
      </div>
    </>
  );
}

async function Block({
  id,
  title,
  list,
  attention,
  children,
}: {
  id: string;
  title: string;
  /** The dashboard section: how many in all, the first few items shown here, and where the full list is. */
  list: { count: number; href: string; items: readonly unknown[] };
  attention?: boolean;
  children: ReactNode;
}) {
  const t = await getTranslations("manageOps.dashboard");
  const common = await getTranslations("manageOps.common");
  const { count, href } = list;
  const shown = list.items.length;
  const alert = Boolean(attention) && count > 0;
  const headingId = `dashboard-${id}`;
  return (
    <Card className={cn("p-5", alert && "border-red-200")}>
      <section aria-labelledby={headingId}>
        <div className="flex items-baseline justify-between gap-3">
          <h2 id={headingId} className="text-base font-semibold text-stone-900">
            {title}
          </h2>
          <span className={cn("text-3xl font-bold tabular-nums", alert ? "text-red-700" : "text-stone-900")}>
            {count}
          </span>
        </div>
        {count === 0 ? (
          <p className="mt-3 text-sm text-stone-500">{t("allClear")}</p>
        ) : (
          <ul className="mt-3 divide-y divide-stone-100 text-sm">{children}</ul>
        )}
        <div className="mt-3 flex items-center justify-between gap-2 text-sm">
          <span className="text-stone-500">{count > shown ? t("more", { count: count - shown }) : null}</span>
          <Link
            href={href}
            className="inline-flex min-h-11 items-center font-semibold text-brand-700 underline-offset-2 hover:underline"
          >
            {common("viewAll")} <span aria-hidden>→</span>
          </Link>
        </div>
      </section>
    </Card>
  );
}
