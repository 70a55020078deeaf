import type { Locale } from "../../types";
import { contextFor, type TemplateContext } from "../context";
import { greetingFor, manageAction, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<Locale, { title: string; subject: (when: string) => string; intro: string; change: string }> = {
  ja: {
    title: "ご予約日が近づいています",
    subject: (when) => `ご予約日のお知らせ：${when}`,
    intro: "ご予約の日時が近づいてまいりましたので、お知らせいたします。",
    change:
      "ご都合が悪くなった場合は、お手数ですが上記のリンクからお早めに変更またはキャンセルのお手続きをお願いいたします。",
  },
  en: {
    title: "Your booking is coming up",
    subject: (when) => `Reminder: your booking on ${when}`,
    intro: "This is a reminder of your upcoming booking.",
    change: "If your plans have changed, please reschedule or cancel as early as you can using the link above.",
  },
};

export function reminder(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const r = ctx.reservation;
  return {
    subject: subjectFor(ctx, r ? c.subject(ctx.shortDateTime(r.startsAt)) : c.title),
    preview: r ? `${c.title}: ${ctx.range(r.startsAt, r.endsAt)}` : c.title,
    heading: c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      { type: "details", rows: reservationRows(ctx) },
      ...manageAction(ctx),
      { type: "note", text: c.change },
    ],
    attachments: [],
  };
}

export function ReminderEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={reminder(ctx)} />;
}
