import type { Locale } from "../../types";
import { contextFor, type TemplateContext } from "../context";
import { greetingFor, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  {
    title: string;
    heading: string;
    intro: string;
    deadline: (at: string) => string;
    amount: string;
    retry: string;
    issuer: string;
  }
> = {
  ja: {
    title: "お支払いが完了していません",
    heading: "お支払いを完了できませんでした",
    intro:
      "ご予約のお支払い手続きが完了いたしませんでした。お手数ですが、カード情報をご確認のうえ、下記のリンクから再度お手続きをお願いいたします。",
    deadline: (at) =>
      `お席は${at}まで確保しております。それまでにお支払いが完了しない場合、ご予約は自動的に取り消されますのでご注意ください。`,
    amount: "お支払い金額",
    retry: "お支払い手続きへ進む",
    issuer: "カードがご利用いただけない理由については、カード会社にお問い合わせいただくと確認できる場合がございます。",
  },
  en: {
    title: "Your payment did not go through",
    heading: "We could not complete your payment",
    intro:
      "The payment for your booking did not go through. Please check your card details and try again using the link below.",
    deadline: (at) =>
      `We are holding your place until ${at}. If payment is not completed by then, the booking will be released automatically.`,
    amount: "Amount due",
    retry: "Complete your payment",
    issuer: "Your card issuer can tell you why the payment was declined.",
  },
};

/** The hold deadline is the reservation's `holdExpiresAt` (the payload's copy is a fallback). */
export function paymentFailed(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const holdExpiresAt = ctx.reservation?.holdExpiresAt ?? ctx.text("holdExpiresAt");
  const retryUrl = ctx.input.links.pay ?? ctx.input.links.manage;
  return {
    subject: subjectFor(ctx, c.title),
    preview: holdExpiresAt ? c.deadline(ctx.dateTime(holdExpiresAt)) : c.heading,
    heading: c.heading,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      ...(holdExpiresAt ? [{ type: "callout" as const, text: c.deadline(ctx.dateTime(holdExpiresAt)) }] : []),
      { type: "details", rows: reservationRows(ctx, { withAmount: true, amountLabel: c.amount }) },
      ...(retryUrl ? [{ type: "action" as const, label: c.retry, url: retryUrl }] : []),
      { type: "note", text: c.issuer },
    ],
    attachments: [],
  };
}

export function PaymentFailedEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={paymentFailed(ctx)} />;
}
