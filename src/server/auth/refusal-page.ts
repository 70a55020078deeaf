import "server-only";
import { createTranslator } from "next-intl";
import { pickLocale, type Locale } from "@/lib/locale";
import en from "../../../messages/auth/en.json";
import ja from "../../../messages/auth/ja.json";

const MESSAGES = { ja, en } as const;

type Refusal =
  { kind: "rate_limited"; retryAfterSeconds: number; headers?: Record<string, string> } | { kind: "unavailable" };

/**
 * The page /auth/confirm answers with when it refuses to try a link at all: 429 when the sign-in limits are used up
 * (with Retry-After, and saying in how many minutes to try again), 503 when the limiter's store is down. A page, not a
 * redirect to the sign-in form, so neither the person nor a script is told "link invalid" for a link that was never
 * checked. Japanese unless the link (locale=en, as the app's emails set it) or the NEXT_LOCALE cookie says English.
 * Plain HTML without scripts or inline styles, so any Content-Security-Policy allows it; never cached.
 */
export function refusalPage(refusal: Refusal, choice: { explicit?: string | null; cookie?: string | null }): Response {
  const locale: Locale = pickLocale(choice);
  const t = createTranslator({ locale, messages: MESSAGES[locale], namespace: "refused" });
  const limited = refusal.kind === "rate_limited";
  const retryAfterSeconds = limited ? Math.max(1, Math.ceil(refusal.retryAfterSeconds)) : 5;
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const title = limited ? t("title") : t("unavailableTitle");
  const body = limited ? t("body", { minutes }) : t("unavailableBody");
  const html = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(body)}</p>
<p><a href="/sign-in">${escapeHtml(t("back"))}</a></p>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: limited ? 429 : 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Language": locale,
      "Cache-Control": "no-store",
      "Retry-After": String(retryAfterSeconds),
      ...(limited ? refusal.headers : {}),
    },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
