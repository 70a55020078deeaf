import type { Locale } from "../../types";
import { calendarAttachment, calendarFilename } from "../calendar";
import { contextFor, type TemplateContext } from "../context";
import { greetingFor, manageAction, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  { title: string; intro: (businessName: string) => string; calendar: (file: string) => string; closing: string }
> = {
  ja: {
    title: "ご予約が確定しました",
    intro: (businessName) =>
      `このたびは${businessName}をご利用いただき、誠にありがとうございます。以下の内容でご予約を承りました。`,
    calendar: (file) => `添付のファイル（${file}）を開くと、ご予約をカレンダーに追加できます。`,
    closing: "当日お会いできることを心よりお待ちしております。",
  },
  en: {
    title: "Your booking is confirmed",
    intro: (businessName) => `Thank you for booking with ${businessName}. Here are the details of your booking.`,
    calendar: (file) => `Open the attached file (${file}) to add the booking to your calendar.`,
    closing: "We look forward to seeing you.",
  },
};

export function confirmation(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const attachments = calendarAttachment(ctx, 0);
  const r = ctx.reservation;
  return {
    subject: subjectFor(ctx, c.title),
    preview: r ? `${c.title}: ${ctx.range(r.startsAt, r.endsAt)}` : c.title,
    heading: c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro(ctx.businessName) },
      { type: "details", rows: reservationRows(ctx, { withAmount: true }) },
      ...manageAction(ctx),
      ...(r && attachments.length > 0 ? [{ type: "note" as const, text: c.calendar(calendarFilename(r.code)) }] : []),
      { type: "paragraph", text: c.closing },
    ],
    attachments,
  };
}

export function ConfirmationEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={confirmation(ctx)} />;
}
