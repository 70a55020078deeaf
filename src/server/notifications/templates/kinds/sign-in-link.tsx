import type { Locale } from "../../types";
import { contextFor, type TemplateContext } from "../context";
import { subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  {
    title: string;
    intro: (businessName: string) => string;
    action: string;
    code: (code: string) => string;
    expiry: (minutes?: number) => string;
    ignore: string;
  }
> = {
  ja: {
    title: "ログイン用リンクのお知らせ",
    intro: (businessName) => `${businessName}へのログインをご依頼いただきました。下のボタンからログインしてください。`,
    action: "ログインする",
    code: (code) => `ログイン画面でコードを入力する場合は ${code} をお使いください。`,
    expiry: (minutes) =>
      minutes
        ? `このリンクの有効期限は${minutes}分間で、一度だけご利用いただけます。`
        : "このリンクには有効期限があり、一度だけご利用いただけます。",
    ignore: "お心当たりのない場合は、このメールを破棄してください。ログインは行われません。",
  },
  en: {
    title: "Your sign-in link",
    intro: (businessName) =>
      `Someone asked to sign in to ${businessName} with this email address. Use the button below to sign in.`,
    action: "Sign in",
    code: (code) => `To type a code on the sign-in page instead, use ${code}.`,
    expiry: (minutes) =>
      minutes
        ? `This link works once and expires in ${minutes} minutes.`
        : "This link works once and expires after a short time.",
    ignore: "If you did not ask to sign in, you can ignore this email; nobody will be signed in.",
  },
};

/** Links: `signIn`. Payload: `oneTimeCode` and `expiresInMinutes` when the auth provider gives them. */
export function signInLink(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const url = ctx.input.links.signIn;
  const minutes = ctx.number("expiresInMinutes");
  const code = ctx.input.payload.oneTimeCode;
  return {
    subject: subjectFor(ctx, c.title),
    preview: c.intro(ctx.businessName),
    heading: c.title,
    blocks: [
      { type: "paragraph", text: c.intro(ctx.businessName) },
      ...(url ? [{ type: "action" as const, label: c.action, url }] : []),
      ...(typeof code === "string" && /^\d{6}$/.test(code) ? [{ type: "paragraph" as const, text: c.code(code) }] : []),
      { type: "note", text: c.expiry(minutes && minutes > 0 ? Math.round(minutes) : undefined) },
      { type: "note", text: c.ignore },
    ],
    attachments: [],
  };
}

export function SignInLinkEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={signInLink(ctx)} />;
}
