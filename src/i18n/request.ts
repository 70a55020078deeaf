import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";

/**
 * No locale in the URL: pages are Japanese unless the visitor chose English with the switcher (NEXT_LOCALE cookie).
 * The browser's Accept-Language is deliberately not used for pages, so the site is Japanese by default everywhere.
 */
export default getRequestConfig(async () => {
  const locale = pickLocale({ cookie: (await cookies()).get(LOCALE_COOKIE)?.value });
  return {
    locale,
    timeZone: process.env.BUSINESS_TIMEZONE || "Asia/Tokyo",
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
