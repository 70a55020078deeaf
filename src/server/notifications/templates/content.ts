import type { EmailAttachment, Locale } from "../types";
import type { TemplateContext } from "./context";

/**
 * A message is composed once, as content blocks, and written twice: as HTML by the React layout (layout.tsx) and as
 * plain text here. So the HTML and text parts always carry the same facts and the same links.
 */
export type Block =
  | { type: "paragraph"; text: string }
  | { type: "details"; rows: DetailRow[] }
  | { type: "action"; label: string; url: string }
  /** Something the reader must not miss (a payment deadline). */
  | { type: "callout"; text: string }
  /** Verbatim text kept as written (a staff alert's message). */
  | { type: "quote"; text: string }
  | { type: "note"; text: string };

export type DetailRow = { label: string; value: string };

export type EmailContent = {
  subject: string;
  /** The inbox preview line shown after the subject. */
  preview: string;
  heading: string;
  /** "山田 太郎 様" / "Dear Taro Yamada,"; absent for messages not addressed to a named customer. */
  greeting?: string;
  blocks: Block[];
  attachments: EmailAttachment[];
};

type CommonCopy = {
  subject: (businessName: string, title: string, code?: string) => string;
  greeting: (name: string) => string;
  code: string;
  service: string;
  dateTime: string;
  quantity: string;
  people: (n: number) => string;
  /** The price row's label; payment notices pass their own ("Amount due"). */
  amount: string;
  manage: string;
  footer: string;
};

export const common: Record<Locale, CommonCopy> = {
  ja: {
    subject: (businessName, title, code) => `【${businessName}】${title}${code ? `（${code}）` : ""}`,
    greeting: (name) => `${name} 様`,
    code: "予約番号",
    service: "サービス",
    dateTime: "日時",
    quantity: "人数",
    people: (n) => `${n}名`,
    amount: "料金",
    manage: "ご予約の確認・変更・キャンセル",
    footer:
      "このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできませんので、あらかじめご了承ください。",
  },
  en: {
    subject: (businessName, title, code) => `[${businessName}] ${title}${code ? ` (${code})` : ""}`,
    greeting: (name) => `Dear ${name},`,
    code: "Booking code",
    service: "Service",
    dateTime: "Date and time",
    quantity: "Guests",
    people: (n) => String(n),
    amount: "Total",
    manage: "View, change or cancel your booking",
    footer: "This email was sent from an address that cannot receive replies.",
  },
};

export function subjectFor(ctx: TemplateContext, title: string): string {
  return common[ctx.locale].subject(ctx.businessName, title, ctx.reservation?.code);
}

export function greetingFor(ctx: TemplateContext): string | undefined {
  const name = ctx.reservation?.customerName.trim();
  return name ? common[ctx.locale].greeting(name) : undefined;
}

/** The rows every reservation email shows: code, service, date and time, party size (and the amount if asked). */
export function reservationRows(
  ctx: TemplateContext,
  options: { dateLabel?: string; withAmount?: boolean; amountLabel?: string; extra?: DetailRow[] } = {},
): DetailRow[] {
  const r = ctx.reservation;
  if (!r) return options.extra ?? [];
  const copy = common[ctx.locale];
  const rows: DetailRow[] = [
    { label: copy.code, value: r.code },
    { label: copy.service, value: r.serviceName },
    { label: options.dateLabel ?? copy.dateTime, value: ctx.range(r.startsAt, r.endsAt) },
    { label: copy.quantity, value: copy.people(r.quantity) },
  ];
  if (options.withAmount && r.amount.amount > 0)
    rows.push({ label: options.amountLabel ?? copy.amount, value: ctx.money(r.amount) });
  return [...rows, ...(options.extra ?? [])];
}

/** The manage link as an action, when the dispatcher provided one (guests get a tokenised link). */
export function manageAction(ctx: TemplateContext, label = common[ctx.locale].manage): Block[] {
  const url = ctx.input.links.manage;
  return url ? [{ type: "action", label, url }] : [];
}

/** The plain-text part: the same blocks as the HTML, laid out for a mail client that shows no HTML. */
export function textFromContent(ctx: TemplateContext, content: EmailContent): string {
  const ja = ctx.locale === "ja";
  const colon = ja ? "：" : ": ";
  const sections: string[] = [ctx.businessName];
  if (content.greeting) sections.push(content.greeting);
  sections.push(ja ? `■ ${content.heading}` : content.heading);
  for (const block of content.blocks) {
    switch (block.type) {
      case "paragraph":
      case "note":
        sections.push(block.text);
        break;
      case "callout":
        sections.push(ja ? `※ ${block.text}` : `* ${block.text}`);
        break;
      case "quote":
        sections.push(
          block.text
            .replace(/\r\n|\r/g, "\n")
            .split("\n")
            .map((line) => `> ${line}`)
            .join("\n"),
        );
        break;
      case "details":
        sections.push(block.rows.map((row) => `${row.label}${colon}${row.value}`).join("\n"));
        break;
      case "action":
        sections.push(`${block.label}${ja ? "：" : ":"}\n${block.url}`);
        break;
    }
  }
  sections.push(["----", ctx.businessName, ctx.input.links.site, common[ctx.locale].footer].join("\n"));
  return `${sections.join("\n\n")}\n`;
}
