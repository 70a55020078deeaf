import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { getEnv } from "@/lib/env";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";

/**
 * Namespaces kept in files of their own (messages/<namespace>/<locale>.json), so each area of the app (sign-in,
 * account, the /manage screens) owns its strings. The site's shared strings stay in messages/<locale>.json. A name here
 * must not also be a namespace of that file (src/i18n/messages.test.ts checks it, and that ja and en have the same keys).
 */
export const MESSAGE_NAMESPACES = [
  "auth",
  "account",
  "manageShell",
  "manageReservations",
  "manageSlots",
  "manageOps",
  "manageMetrics",
] as const;

/**
 * No locale in the URL: pages are Japanese unless the visitor chose English with the switcher (NEXT_LOCALE cookie).
 * The browser's Accept-Language is deliberately not used for pages, so the site is Japanese by default everywhere.
 */
export default getRequestConfig(async () => {
  const locale = pickLocale({ cookie: (await cookies()).get(LOCALE_COOKIE)?.value });
  const base = (await import(`../../messages/${locale}.json`)).default as Record<string, unknown>;
  const areas = await Promise.all(
    MESSAGE_NAMESPACES.map(async (ns) => [ns, (await import(`../../messages/${ns}/${locale}.json`)).default] as const),
  );
  return {
    locale,
    timeZone: getEnv().BUSINESS_TIMEZONE,
    messages: { ...base, ...Object.fromEntries(areas) },
  };
});
