import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ReservationStatus } from "@/components/manage/reservations/badges";
import { NotificationsCard, PaymentsCard, Section, SummaryCard } from "@/components/manage/reservations/detail-cards";
import { ReservationActions, type ActionsData } from "@/components/manage/reservations/reservation-actions";
import { Timeline } from "@/components/manage/reservations/timeline";
import { ManagePageHeader } from "@/components/manage/page-header";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatSlotRange } from "@/lib/format-datetime";
import { getReservationDetail, type ReservationDetail } from "@/server/admin/reservation-detail";
import { listRescheduleOptions } from "@/server/admin/reservation-options";
import type { AuthContext } from "@/server/auth/guard";
import { loadOr404 } from "@/server/admin/page-loader";
import { isActive, mayAcceptLatePayment, mayMarkNoShow } from "@/server/booking/policy";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageReservations.meta");
  return { title: t("detailTitle") };
}

/**
 * /manage/reservations/[id]: everything about one reservation (read as the staff member under RLS, the same function
 * as GET /api/admin/reservations/[id]) and the actions that apply to its current state.
 */
export default async function ReservationDetailPage({ params }: Props) {
  const { id } = await params;
  const viewer = await requirePageRole(STAFF_ROLES, `/manage/reservations/${id}`);
  const detail = await loadOr404(id, (key) => getReservationDetail(viewer, key));
  const t = await getTranslations("manageReservations");
  const locale = await getCurrentLocale();
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const actions = await actionsFor(detail, viewer, locale, timeZone, (when, remaining) =>
    t("actions.rescheduleOption", { when, remaining }),
  );

  return (
    <>
      <Link
        href="/manage/reservations"
        className="mb-2 inline-flex min-h-11 items-center text-sm font-semibold text-brand-800 hover:underline"
      >
        ← {t("detail.back")}
      </Link>
      <ManagePageHeader
        title={t("meta.detail", { code: detail.reservation.code })}
        actions={<ReservationStatus status={detail.reservation.status} className="px-3 py-1 text-sm" />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Section id="actions" title={t("actions.title")}>
            <ReservationActions data={actions} />
          </Section>
          <SummaryCard detail={detail} locale={locale} timeZone={timeZone} />
          <Section id="timeline" title={t("detail.timeline")} hint={t("detail.timelineHint")}>
            <Timeline entries={detail.timeline} locale={locale} timeZone={timeZone} />
          </Section>
        </div>
        <div className="space-y-6">
          <PaymentsCard detail={detail} locale={locale} timeZone={timeZone} />
          <NotificationsCard detail={detail} locale={locale} timeZone={timeZone} />
        </div>
      </div>
    </>
  );
}

/** Which actions apply now (the domain verbs' own rules, src/server/booking/policy.ts), with what the steps show. */
async function actionsFor(
  d: ReservationDetail,
  viewer: AuthContext,
  locale: "ja" | "en",
  timeZone: string,
  optionLabel: (when: string, remaining: number) => string,
): Promise<ActionsData> {
  const status = d.reservation.status;
  const canChange = isActive(status);
  const refundable = d.payments.find(
    (p) => (p.status === "succeeded" || p.status === "partially_refunded") && p.amount > p.amountRefunded,
  );
  const options = canChange ? await listRescheduleOptions(viewer, d.reservation.id) : [];
  return {
    reservationId: d.reservation.id,
    locale,
    currency: d.reservation.amount.currency,
    quantity: d.reservation.quantity,
    canChange,
    canNoShow: mayMarkNoShow(status, new Date(d.slot.startsAt), clock.now()),
    canAcceptLate: d.payments.some((p) => mayAcceptLatePayment(status, p)),
    refund: refundable
      ? { paymentId: refundable.id, paid: refundable.amount, remaining: refundable.amount - refundable.amountRefunded }
      : null,
    currentSlot: formatSlotRange(d.slot.startsAt, d.slot.endsAt, locale, timeZone),
    slots: options.map((s) => ({
      id: s.id,
      label: optionLabel(formatSlotRange(s.startsAt, s.endsAt, locale, timeZone), s.remaining),
    })),
    messageTo: { email: d.customer.email, locale: d.reservation.locale === "en" ? "en" : "ja" },
  };
}
