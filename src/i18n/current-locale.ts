import "server-only";
import { getLocale } from "next-intl/server";
import { defaultLocale, isLocale, type Locale } from "@/lib/locale";

/** The request's locale (cookie or default) narrowed to the app's own list. */
export async function getCurrentLocale(): Promise<Locale> {
  const locale = await getLocale();
  return isLocale(locale) ? locale : defaultLocale;
}
