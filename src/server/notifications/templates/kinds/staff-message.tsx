import type { Locale } from "../../types";
import { contextFor, type TemplateContext } from "../context";
import { greetingFor, manageAction, reservationRows, subjectFor, type Block, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<Locale, { title: string; intro: string; details: string }> = {
  ja: {
    title: "ご予約についてのお知らせ",
    intro: "ご予約につきまして、スタッフより下記のとおりご連絡いたします。",
    details: "対象のご予約は以下のとおりです。",
  },
  en: {
    title: "A message about your booking",
    intro: "Our staff have sent you the following message about your booking.",
    details: "This message is about the booking below.",
  },
};

/** The inbox preview line: the message's start on one line (mail clients show about this much). */
const PREVIEW_LENGTH = 120;

/**
 * Payload: `subject` and `message`, written by a staff member (/manage). The message is plain text: blank lines
 * separate paragraphs and single line breaks stay where they were typed (the layout turns them into <br>, React
 * escapes the text, so nothing typed becomes markup). Around it, the reservation and the manage link like every
 * other reservation email, so the customer can see which booking it is about and act on it.
 */
export function staffMessage(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const subject = ctx.text("subject")?.replace(/\s+/g, " ").trim();
  const paragraphs = paragraphsOf(ctx.text("message") ?? "");
  const summary = paragraphs.join(" ").replace(/\s+/g, " ");
  const rows = reservationRows(ctx);
  return {
    subject: subjectFor(ctx, subject ?? c.title),
    preview: summary ? summary.slice(0, PREVIEW_LENGTH) : c.intro,
    heading: subject ?? c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      ...paragraphs.map((text): Block => ({ type: "paragraph", text })),
      ...(rows.length > 0
        ? [
            { type: "note" as const, text: c.details },
            { type: "details" as const, rows },
          ]
        : []),
      ...manageAction(ctx),
    ],
    attachments: [],
  };
}

function paragraphsOf(message: string): string[] {
  return message
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*(?:\n[ \t]*)+/)
    .map((paragraph) => paragraph.replace(/[ \t]+$/gm, "").trim())
    .filter((paragraph) => paragraph !== "");
}

export function StaffMessageEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={staffMessage(ctx)} />;
}
