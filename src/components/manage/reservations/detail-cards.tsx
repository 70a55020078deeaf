import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { formatDateTime, formatSlotRange } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import type { ReservationDetail } from "@/server/admin/reservation-detail";
import { PaymentStatus } from "./badges";
import { ResendButton } from "./resend-button";

type Props = { detail: ReservationDetail; locale: string; timeZone: string };

/** The detail page's sections; each is a card with a heading so screen-reader users can jump between them. */

export function Section({
  id,
  title,
  children,
  hint,
}: {
  id: string;
  title: string;
  children: ReactNode;
  hint?: string;
}) {
  return (
    <Card className="p-5" aria-labelledby={id} role="region">
      <h2 id={id} className="text-lg font-bold text-stone-900">
        {title}
      </h2>
      {hint ? <p className="mt-1 text-xs text-stone-600">{hint}</p> : null}
      <div className="mt-3">{children}</div>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-stone-600">{label}</dt>
      <dd className="min-w-0 break-words text-stone-900">{children}</dd>
    </>
  );
}

export function SummaryCard({ detail: d, locale, timeZone }: Props) {
  const t = useTranslations("manageReservations.detail");
  const at = (v: string | null) => (v ? formatDateTime(v, locale, timeZone) : null);
  const r = d.reservation;
  return (
    <Section id="summary" title={t("summary")}>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <Row label={t("code")}>
          <span className="font-mono text-base font-semibold">{r.code}</span>
        </Row>
        <Row label={t("service")}>{locale === "en" ? d.service.nameEn : d.service.nameJa}</Row>
        <Row label={t("when")}>
          <span className="font-semibold">{formatSlotRange(d.slot.startsAt, d.slot.endsAt, locale, timeZone)}</span>
        </Row>
        <Row label={t("slotSeats")}>
          {t("slotSeatsValue", { reserved: d.slot.reserved, capacity: d.slot.capacity, status: d.slot.status })}
        </Row>
        <Row label={t("guests")}>{r.quantity}</Row>
        <Row label={t("amount")}>{r.amount.amount === 0 ? t("free") : formatMoney(r.amount, locale)}</Row>
        <Row label={t("name")}>{d.customer.name}</Row>
        <Row label={t("email")}>{d.customer.email}</Row>
        {d.customer.phone ? <Row label={t("phone")}>{d.customer.phone}</Row> : null}
        <Row label={t("smsConsent")}>{r.smsConsent ? t("smsYes") : t("smsNo")}</Row>
        <Row label={t("language")}>{r.locale}</Row>
        <Row label={t("account")}>{r.userId ? t("accountYes") : t("accountNo")}</Row>
        <Row label={t("createdAt")}>{at(r.createdAt)}</Row>
        {r.holdExpiresAt ? <Row label={t("holdExpiresAt")}>{at(r.holdExpiresAt)}</Row> : null}
        {r.confirmedAt ? <Row label={t("confirmedAt")}>{at(r.confirmedAt)}</Row> : null}
        {r.cancelledAt ? <Row label={t("cancelledAt")}>{at(r.cancelledAt)}</Row> : null}
        {r.cancelReason ? <Row label={t("cancelReason")}>{r.cancelReason}</Row> : null}
        <Row label={t("version")}>{r.version}</Row>
      </dl>
    </Section>
  );
}

export function PaymentsCard({ detail: d, locale, timeZone }: Props) {
  const t = useTranslations("manageReservations.detail");
  const money = (amount: number, currency: string) => formatMoney({ amount, currency }, locale);
  return (
    <Section id="payments" title={t("payments")}>
      {d.payments.length === 0 ? <p className="text-sm text-stone-600">{t("noPayments")}</p> : null}
      <ul className="divide-y divide-stone-100 text-sm">
        {d.payments.map((p) => (
          <li key={p.id} className="py-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-semibold">{t("attempt", { attempt: p.attempt })}</span>
              <PaymentStatus status={p.status} late={p.latePayment} />
            </div>
            <p className="text-stone-800">
              {money(p.amount, p.currency)}
              {p.amountRefunded > 0 ? ` (−${money(p.amountRefunded, p.currency)})` : ""}
            </p>
            <p className="text-xs text-stone-600">
              {t("startedAt", { at: formatDateTime(p.createdAt, locale, timeZone) })}
              {p.paidAt ? ` · ${t("paidAt", { at: formatDateTime(p.paidAt, locale, timeZone) })}` : ""}
            </p>
            {p.failureCode || p.failureMessage ? (
              <p className="text-xs text-red-700">{[p.failureCode, p.failureMessage].filter(Boolean).join(": ")}</p>
            ) : null}
          </li>
        ))}
      </ul>
      <RefundList detail={d} locale={locale} timeZone={timeZone} />
    </Section>
  );
}

function RefundList({ detail: d, locale, timeZone }: Props) {
  const t = useTranslations("manageReservations.detail");
  if (d.payments.length === 0) return null;
  return (
    <div className="mt-3 border-t border-stone-200 pt-3">
      <h3 className="text-sm font-bold text-stone-900">{t("refunds")}</h3>
      {d.refunds.length === 0 ? <p className="mt-1 text-sm text-stone-600">{t("noRefunds")}</p> : null}
      <ul className="mt-1 divide-y divide-stone-100 text-sm">
        {d.refunds.map((f) => (
          <li key={f.id} className="py-2">
            <div className="flex flex-wrap justify-between gap-2">
              <span className="font-semibold">{formatMoney({ amount: f.amount, currency: f.currency }, locale)}</span>
              <span className="text-stone-700">{f.status}</span>
            </div>
            <p className="text-xs break-words text-stone-600">
              {formatDateTime(f.createdAt, locale, timeZone)} · {f.reason}
            </p>
            {f.lastError ? <p className="text-xs text-red-700">{f.lastError}</p> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function NotificationsCard({ detail: d, locale, timeZone }: Props) {
  const t = useTranslations("manageReservations.detail");
  return (
    <Section id="notifications" title={t("notifications")}>
      {d.notifications.length === 0 ? <p className="text-sm text-stone-600">{t("noNotifications")}</p> : null}
      <ul className="divide-y divide-stone-100 text-sm">
        {d.notifications.map((n) => (
          <li key={n.id} className="py-2">
            <div className="flex flex-wrap justify-between gap-2">
              <span className="font-mono font-semibold">
                {n.kind} · {n.channel}
              </span>
              <span
                className={
                  n.status === "failed" || n.status === "bounced" ? "font-semibold text-red-700" : "text-stone-700"
                }
              >
                {n.status}
              </span>
            </div>
            <p className="text-xs break-all text-stone-600">
              {n.recipient} · {formatDateTime(n.createdAt, locale, timeZone)} · {t("attempts", { count: n.attempts })}
              {n.sentAt ? ` · ${t("sentAt", { at: formatDateTime(n.sentAt, locale, timeZone) })}` : ""}
            </p>
            {n.lastError ? (
              <p className="text-xs break-words text-red-700">{t("lastError", { error: n.lastError })}</p>
            ) : null}
            <ResendButton reservationId={d.reservation.id} notification={n} />
          </li>
        ))}
      </ul>
    </Section>
  );
}
