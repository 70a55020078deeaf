import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { setLocale } from "@/server/i18n/locale-actions";

export async function SiteHeader() {
  const t = await getTranslations("nav");
  const locale = await getLocale();
  const other = locale === "ja" ? "en" : "ja";
  return (
    <header className="sticky top-0 z-10 border-b border-stone-200/80 bg-white/85 backdrop-blur">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-brand-900">
          <span aria-hidden className="grid size-8 place-items-center rounded-lg bg-brand-600 text-sm text-white">
            S
          </span>
          Slotbook
        </Link>
        <nav aria-label="main" className="flex items-center gap-1 text-sm sm:gap-4">
          <Link href="/#services" className="hidden rounded-md px-2 py-1 text-stone-700 hover:text-brand-700 sm:inline">
            {t("services")}
          </Link>
          <Link href="/#how" className="hidden rounded-md px-2 py-1 text-stone-700 hover:text-brand-700 sm:inline">
            {t("how")}
          </Link>
          <Link href="/sign-in" className="min-h-11 rounded-md px-2 py-2.5 text-stone-700 hover:text-brand-700">
            {t("account")}
          </Link>
          <form action={setLocale}>
            <input type="hidden" name="locale" value={other} />
            <button
              type="submit"
              lang={other}
              aria-label={`${t("language")}: ${t("switchTo")}`}
              className="min-h-11 rounded-lg px-3 py-1 font-medium text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
            >
              {t("switchTo")}
            </button>
          </form>
        </nav>
      </div>
    </header>
  );
}
