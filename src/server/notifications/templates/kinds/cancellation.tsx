import type { Locale } from "../../types";
import { contextFor, payloadMoney, type TemplateContext } from "../context";
import { greetingFor, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  { title: string; intro: string; refundLabel: string; refund: string; rebook: string; closing: string }
> = {
  ja: {
    title: "ご予約をキャンセルしました",
    intro: "以下のご予約のキャンセルを承りました。",
    refundLabel: "返金額",
    refund:
      "返金はお支払いに使われたカードへ行われます。ご利用明細への反映には、カード会社により数日から数週間かかる場合がございます。",
    rebook: "新しくご予約いただく",
    closing: "またのご利用を心よりお待ちしております。",
  },
  en: {
    title: "Your booking has been cancelled",
    intro: "The booking below has been cancelled.",
    refundLabel: "Refund",
    refund:
      "The refund goes back to the card you paid with. Depending on your card issuer, it may take a few days to a few weeks to appear on your statement.",
    rebook: "Make a new booking",
    closing: "We hope to see you again.",
  },
};

/** Payload: `refundAmount` (+ `currency`) when the cancellation refunded a payment. */
export function cancellation(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const refund = payloadMoney(ctx, "refundAmount");
  const refundRows = refund && refund.amount > 0 ? [{ label: c.refundLabel, value: ctx.money(refund) }] : [];
  return {
    subject: subjectFor(ctx, c.title),
    preview: c.title,
    heading: c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      { type: "details", rows: reservationRows(ctx, { extra: refundRows }) },
      ...(refundRows.length > 0 ? [{ type: "note" as const, text: c.refund }] : []),
      { type: "action", label: c.rebook, url: ctx.input.links.site },
      { type: "paragraph", text: c.closing },
    ],
    attachments: [],
  };
}

export function CancellationEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={cancellation(ctx)} />;
}
