import type { Locale, TemplateInput } from "../types";
import { contextFor } from "./context";

type SmsFacts = { businessName: string; code: string; when: string; deadline?: string };

type SmsCopy = {
  confirmed: (f: SmsFacts) => string;
  reminder: (f: SmsFacts) => string;
  cancelled: (f: SmsFacts) => string;
  rescheduled: (f: SmsFacts) => string;
  payment_failed: (f: SmsFacts) => string;
  aboutReservation: (f: SmsFacts) => string;
  generic: (businessName: string) => string;
};

const copy: Record<Locale, SmsCopy> = {
  ja: {
    confirmed: (f) =>
      `【${f.businessName}】ご予約が確定しました。予約番号 ${f.code}、${f.when}〜。詳細はメールをご確認ください。`,
    reminder: (f) => `【${f.businessName}】ご予約日のお知らせ：${f.when}〜（予約番号 ${f.code}）。お待ちしております。`,
    cancelled: (f) => `【${f.businessName}】ご予約（${f.code}、${f.when}〜）をキャンセルしました。`,
    rescheduled: (f) => `【${f.businessName}】ご予約（${f.code}）の日時を${f.when}〜に変更しました。`,
    payment_failed: (f) =>
      `【${f.businessName}】ご予約（${f.code}、${f.when}〜）のお支払いが完了していません。${f.deadline ? `${f.deadline}までに` : ""}メールのリンクからお手続きください。`,
    aboutReservation: (f) => `【${f.businessName}】ご予約（${f.code}）についてのお知らせをメールでお送りしました。`,
    generic: (businessName) => `【${businessName}】お知らせをメールでお送りしました。ご確認ください。`,
  },
  en: {
    confirmed: (f) => `${f.businessName}: your booking ${f.code} on ${f.when} is confirmed. Details are in your email.`,
    reminder: (f) => `${f.businessName}: reminder of your booking ${f.code} on ${f.when}. See you soon.`,
    cancelled: (f) => `${f.businessName}: your booking ${f.code} on ${f.when} has been cancelled.`,
    rescheduled: (f) => `${f.businessName}: your booking ${f.code} has been moved to ${f.when}.`,
    payment_failed: (f) =>
      `${f.businessName}: payment for booking ${f.code} on ${f.when} did not go through. Please pay${f.deadline ? ` by ${f.deadline}` : ""} using the link in your email.`,
    aboutReservation: (f) => `${f.businessName}: we have emailed you about booking ${f.code}.`,
    generic: (businessName) => `${businessName}: we have sent you an email. Please check your inbox.`,
  },
};

/**
 * A short SMS for the kinds where one helps (confirmed, reminder, cancelled, rescheduled, payment_failed): code and
 * time, about 70–100 characters in Japanese. It carries no link on purpose: a manage or payment link holds a token,
 * and SMS bodies end up in carrier and dry-run logs; the email has the links.
 */
export function renderSmsText(input: TemplateInput): string {
  const ctx = contextFor(input);
  const c = copy[ctx.locale];
  const r = ctx.reservation;
  if (!r) return c.generic(ctx.businessName);
  const facts: SmsFacts = {
    businessName: ctx.businessName,
    code: r.code,
    when: ctx.shortDateTime(r.startsAt),
    deadline: r.holdExpiresAt ? ctx.shortDateTime(r.holdExpiresAt) : undefined,
  };
  switch (input.kind) {
    case "confirmed":
    case "reminder":
    case "cancelled":
    case "rescheduled":
    case "payment_failed":
      return c[input.kind](facts);
    default:
      return c.aboutReservation(facts);
  }
}
