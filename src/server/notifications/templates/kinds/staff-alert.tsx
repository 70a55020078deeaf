import type { Locale } from "../../types";
import { contextFor, type TemplateContext } from "../context";
import { reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  {
    title: string;
    subject: (alert: string) => string;
    intro: string;
    alert: string;
    customer: string;
    noMessage: string;
  }
> = {
  ja: {
    title: "スタッフの対応が必要です",
    subject: (alert) => `［要対応］${alert}`,
    intro: "スタッフによる確認が必要な事象が発生しました。内容をご確認のうえ、ご対応をお願いします。",
    alert: "種別",
    customer: "お客様名",
    noMessage: "（詳細メッセージはありません）",
  },
  en: {
    title: "Staff attention needed",
    subject: (alert) => `[Action needed] ${alert}`,
    intro: "Something happened that needs a staff member to look at it. Please review the details below.",
    alert: "Alert",
    customer: "Customer",
    noMessage: "(No message was given.)",
  },
};

/**
 * Payload: `alert` (a machine-readable kind, e.g. late_payment_manual) and `message` (for people). It shows no
 * manage link even when the input has one: that link carries the guest's token, which is not staff's to hold.
 */
export function staffAlert(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const alert = ctx.text("alert") ?? "staff_alert";
  const message = ctx.text("message");
  const r = ctx.reservation;
  const extra = [{ label: c.alert, value: alert }, ...(r ? [{ label: c.customer, value: r.customerName }] : [])];
  return {
    subject: subjectFor(ctx, c.subject(alert)),
    preview: message ?? c.title,
    heading: c.title,
    blocks: [
      { type: "paragraph", text: c.intro },
      { type: "quote", text: message ?? c.noMessage },
      { type: "details", rows: reservationRows(ctx, { withAmount: true, extra }) },
    ],
    attachments: [],
  };
}

export function StaffAlertEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={staffAlert(ctx)} />;
}
