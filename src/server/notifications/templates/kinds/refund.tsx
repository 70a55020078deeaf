import type { Locale } from "../../types";
import { contextFor, payloadMoney, type TemplateContext } from "../context";
import { greetingFor, manageAction, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<Locale, { title: string; intro: string; amount: string; statement: string; view: string }> = {
  ja: {
    title: "返金のお手続きが完了しました",
    intro: "以下のご予約について、返金のお手続きをいたしました。",
    amount: "返金額",
    statement:
      "返金はお支払いに使われたカードへ行われます。ご利用明細への反映には、カード会社により数日から数週間かかる場合がございます。",
    view: "ご予約内容を確認する",
  },
  en: {
    title: "Your refund has been issued",
    intro: "We have issued a refund for the booking below.",
    amount: "Refund",
    statement:
      "The refund goes back to the card you paid with. Depending on your card issuer, it may take a few days to a few weeks to appear on your statement.",
    view: "View your booking",
  },
};

/** Payload: `amount` (minor units) and `currency` of this refund; without them, the reservation's amount. */
export function refund(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const amount = payloadMoney(ctx, "amount") ?? ctx.reservation?.amount;
  const amountRows = amount ? [{ label: c.amount, value: ctx.money(amount) }] : [];
  return {
    subject: subjectFor(ctx, c.title),
    preview: amount ? `${c.amount}: ${ctx.money(amount)}` : c.title,
    heading: c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      { type: "details", rows: reservationRows(ctx, { extra: amountRows }) },
      { type: "note", text: c.statement },
      ...manageAction(ctx, c.view),
    ],
    attachments: [],
  };
}

export function RefundEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={refund(ctx)} />;
}
