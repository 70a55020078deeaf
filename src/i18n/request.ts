import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";

/** No locale in the URL: the NEXT_LOCALE cookie (set by the switcher), then Accept-Language, then Japanese. */
export default getRequestConfig(async () => {
  const locale = pickLocale({
    cookie: (await cookies()).get(LOCALE_COOKIE)?.value,
    acceptLanguage: (await headers()).get("accept-language"),
  });
  return {
    locale,
    timeZone: process.env.BUSINESS_TIMEZONE || "Asia/Tokyo",
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
