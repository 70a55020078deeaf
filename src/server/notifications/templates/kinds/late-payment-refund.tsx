import type { Locale } from "../../types";
import { contextFor, payloadMoney, type TemplateContext } from "../context";
import { greetingFor, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  {
    title: string;
    heading: string;
    reason: (deadline: string | undefined) => string;
    apology: string;
    amount: string;
    statement: string;
    rebook: string;
  }
> = {
  ja: {
    title: "お支払いを返金いたしました",
    heading: "ご予約を確定できなかったため、お支払いを返金いたしました",
    reason: (deadline) =>
      `お支払いの確認がお席の確保期限${deadline ? `（${deadline}）` : ""}を過ぎてからとなり、その間に満席となったため、ご予約を確定することができませんでした。`,
    apology: "ご迷惑をおかけし、誠に申し訳ございません。お支払いいただいた金額は全額返金いたします。",
    amount: "返金額",
    statement:
      "返金はお支払いに使われたカードへ行われます。ご利用明細への反映には、カード会社により数日から数週間かかる場合がございます。",
    rebook: "別の日時でご予約いただく",
  },
  en: {
    title: "Your payment has been refunded",
    heading: "We could not confirm your booking, so we have refunded your payment",
    reason: (deadline) =>
      `Your payment reached us after the time we could hold your place${deadline ? ` (${deadline})` : ""}, and the time slot filled up in the meantime, so we could not confirm your booking.`,
    apology: "We are very sorry for the inconvenience. We have refunded the full amount you paid.",
    amount: "Refund",
    statement:
      "The refund goes back to the card you paid with. Depending on your card issuer, it may take a few days to a few weeks to appear on your statement.",
    rebook: "Book another time",
  },
};

/** Payload: `amount` and `currency` of the refunded late payment; without them, the reservation's amount. */
export function latePaymentRefund(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const amount = payloadMoney(ctx, "amount") ?? ctx.reservation?.amount;
  const amountRows = amount ? [{ label: c.amount, value: ctx.money(amount) }] : [];
  const holdExpiresAt = ctx.reservation?.holdExpiresAt;
  return {
    subject: subjectFor(ctx, c.title),
    preview: c.heading,
    heading: c.heading,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.reason(holdExpiresAt ? ctx.dateTime(holdExpiresAt) : undefined) },
      { type: "paragraph", text: c.apology },
      { type: "details", rows: reservationRows(ctx, { extra: amountRows }) },
      { type: "note", text: c.statement },
      { type: "action", label: c.rebook, url: ctx.input.links.site },
    ],
    attachments: [],
  };
}

export function LatePaymentRefundEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={latePaymentRefund(ctx)} />;
}
