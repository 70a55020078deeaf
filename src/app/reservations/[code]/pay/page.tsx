import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
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
import { formatDateTime, formatSlotRange, formatTime } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import { returnCookieName } from "@/lib/return-cookie";
import type { PaymentView } from "@/server/booking/read";
import { AccessProblem } from "../access-problem";
import { isReservationCodeShape, loadReservation, manageHref } from "../load";
import { HoldPanel } from "./hold-panel";
import { AwaitConfirmation, PayButton } from "./pay-panel";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ code: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: `${t("pay.heading")} | ${t("meta.title")}` };
}

/**
 * The payment step: amount, hold countdown and a button that opens checkout (Stripe, or the sandbox page in the
 * embedded default). Stripe returns the customer here (?session_id=… or ?cancelled=1) without the token, which the
 * checkout request left in a cookie. The page then shows what the webhook decided: confirmed, declined (retry),
 * still processing, or a late payment's outcome.
 */
export default async function PayPage({ params, searchParams }: Props) {
  const { code } = await params;
  if (!isReservationCodeShape(code)) notFound();
  const query = await searchParams;
  const token = typeof query.token === "string" ? query.token : (await cookies()).get(returnCookieName(code))?.value;
  const returnedPaid = typeof query.session_id === "string";
  const leftCheckout = query.cancelled === "1";
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

      {r.payment?.latePayment ? (
        <LatePaymentNotice
          payment={r.payment}
          amount={amount}
          refundedLabel={formatMoney({ amount: r.payment.amountRefunded, currency: r.payment.currency }, locale)}
          t={t}
        />
      ) : r.status === "held" && r.holdExpiresAt ? (
        <HoldPanel
          status="held"
          holdExpiresAt={r.holdExpiresAt}
          serverNow={clock.now().toISOString()}
          holdUntilLabel={formatTime(r.holdExpiresAt, locale, timeZone)}
          slotsHref={slotsHref}
        >
          {returnedPaid && r.payment?.status === "pending" ? (
            <Notice className="mt-6" title={t("pay.processingTitle")} data-testid="payment-processing">
              <p>{t("pay.processingBody")}</p>
              <AwaitConfirmation />
            </Notice>
          ) : (
            <>
              {r.payment?.status === "failed" ? (
                <Notice tone="error" className="mt-6" title={t("pay.failedTitle")} data-testid="payment-failed">
                  <p>{t("pay.failedBody", { reason: declineReason(r.payment, t) })}</p>
                </Notice>
              ) : leftCheckout ? (
                <Notice className="mt-6">
                  <p>{t("pay.leftCheckout")}</p>
                </Notice>
              ) : null}
              <Card className="mt-6 p-5">
                <h2 className="text-lg font-bold text-brand-900">{t("pay.payTitle")}</h2>
                <p className="mt-1 text-sm text-stone-700">
                  {t("pay.payBody", { time: formatDateTime(r.holdExpiresAt, locale, timeZone) })}
                </p>
                <div className="mt-4">
                  <PayButton reservationId={r.id} token={token} amountLabel={amount} />
                </div>
              </Card>
            </>
          )}
        </HoldPanel>
      ) : r.status === "expired" && r.holdExpiresAt ? (
        <HoldPanel
          status="expired"
          holdExpiresAt={r.holdExpiresAt}
          serverNow={clock.now().toISOString()}
          holdUntilLabel={formatTime(r.holdExpiresAt, locale, timeZone)}
          slotsHref={slotsHref}
        >
          {null}
        </HoldPanel>
      ) : r.status === "confirmed" ? (
        <Notice
          tone="success"
          className="mt-6"
          title={r.payment ? t("pay.paidTitle") : t("pay.confirmedTitle")}
          data-testid="payment-confirmed"
        >
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

type Translate = Awaited<ReturnType<typeof getTranslations>>;

const DECLINE_CODES = [
  "generic_decline",
  "insufficient_funds",
  "expired_card",
  "card_declined",
  "incorrect_number",
] as const;

function declineReason(payment: PaymentView, t: Translate): string {
  const code = DECLINE_CODES.find((c) => c === payment.failureCode) ?? "other";
  return t(`pay.decline.${code}`);
}

/** What happened to money that arrived after the hold ended (LATE_PAYMENT_POLICY), in the customer's words. */
function LatePaymentNotice({
  payment,
  amount,
  refundedLabel,
  t,
}: {
  payment: PaymentView;
  amount: string;
  refundedLabel: string;
  t: Translate;
}) {
  if (payment.outcome === "late_payment_reacquired") {
    return (
      <Notice tone="success" className="mt-6" title={t("pay.lateReacquiredTitle")} data-testid="late-payment-outcome">
        <p>{t("pay.lateReacquiredBody")}</p>
      </Notice>
    );
  }
  if (payment.outcome === "late_payment_refunded") {
    return (
      <Notice tone="warning" className="mt-6" title={t("pay.lateRefundedTitle")} data-testid="late-payment-outcome">
        <p>{t("pay.lateRefundedBody", { amount })}</p>
        <p className="mt-1 text-xs opacity-80">{t("pay.refunded", { amount: refundedLabel })}</p>
      </Notice>
    );
  }
  return (
    <Notice tone="warning" className="mt-6" title={t("pay.lateManualTitle")} data-testid="late-payment-outcome">
      <p>{t("pay.lateManualBody")}</p>
    </Notice>
  );
}
