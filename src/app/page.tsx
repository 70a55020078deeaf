import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { Badge, Card } from "@/components/ui/card";
import { buttonClasses } from "@/components/ui/button";
import { SiteHeader } from "@/components/site-header";
import { isLocale } from "@/lib/locale";
import { formatMoney } from "@/lib/money";
import { logger } from "@/lib/logger";
import { listPublicServices, type PublicService } from "@/server/catalog/services";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const t = await getTranslations();
  const rawLocale = await getLocale();
  const locale = isLocale(rawLocale) ? rawLocale : "ja";
  let services: PublicService[] | null = null;
  try {
    services = await listPublicServices(locale);
  } catch (error) {
    logger.error({ event: "home.services_failed", err: error }, "could not load services for the home page");
  }

  return (
    <>
      <SiteHeader />
      <main>
        <section className="relative overflow-hidden bg-gradient-to-b from-brand-50 to-stone-50">
          <div className="mx-auto grid max-w-6xl gap-10 px-4 py-16 sm:px-6 sm:py-24 lg:grid-cols-[1.2fr_1fr] lg:items-center">
            <div>
              <p className="text-sm font-semibold tracking-wide text-accent-500">{t("hero.eyebrow")}</p>
              <h1 className="mt-3 whitespace-pre-line text-4xl font-bold leading-tight tracking-tight text-brand-900 sm:text-5xl">
                {t("hero.title")}
              </h1>
              <p className="mt-6 max-w-xl text-base leading-8 text-stone-700">{t("hero.lead")}</p>
              <a href="#services" className={buttonClasses("primary", "mt-8 px-6")}>
                {t("hero.cta")}
              </a>
            </div>
            <div aria-hidden className="hidden lg:block">
              <div className="grid grid-cols-3 gap-3 rounded-3xl bg-white p-6 shadow-lg ring-1 ring-stone-200">
                {["10:00", "11:00", "13:30", "15:00", "16:00", "18:30"].map((time, i) => (
                  <div
                    key={time}
                    className={
                      i === 2
                        ? "rounded-xl bg-brand-600 px-3 py-4 text-center text-sm font-semibold text-white"
                        : i === 4
                          ? "rounded-xl bg-stone-100 px-3 py-4 text-center text-sm text-stone-400 line-through"
                          : "rounded-xl bg-brand-50 px-3 py-4 text-center text-sm font-medium text-brand-700"
                    }
                  >
                    {time}
                  </div>
                ))}
              </div>
            </div>
          </div>
        </section>

        <section
          id="services"
          aria-labelledby="services-title"
          className="mx-auto max-w-6xl scroll-mt-20 px-4 py-16 sm:px-6"
        >
          <h2 id="services-title" className="text-2xl font-bold text-brand-900 sm:text-3xl">
            {t("services.title")}
          </h2>
          <p className="mt-2 text-stone-600">{t("services.subtitle")}</p>
          {services === null ? (
            <p role="alert" className="mt-8 rounded-xl border border-red-200 bg-red-50 p-4 text-red-800">
              {t("services.error")}
            </p>
          ) : services.length === 0 ? (
            <p className="mt-8 rounded-xl border border-stone-200 bg-white p-6 text-stone-600">{t("services.empty")}</p>
          ) : (
            <ul className="mt-8 grid gap-5 sm:grid-cols-2 lg:grid-cols-4">
              {services.map((service) => (
                <li key={service.id}>
                  <Card className="flex h-full flex-col p-5">
                    <div className="flex flex-wrap gap-2">
                      <Badge>{t("services.minutes", { minutes: service.durationMinutes })}</Badge>
                      <Badge className="bg-stone-100 text-stone-700">
                        {t("services.capacity", { capacity: service.capacity })}
                      </Badge>
                    </div>
                    <h3 className="mt-4 text-lg font-semibold text-stone-900">{service.name}</h3>
                    <p className="mt-2 flex-1 text-sm leading-6 text-stone-600">{service.description}</p>
                    <p className="mt-4 text-xl font-bold text-brand-900">
                      {service.price.amount === 0 ? t("services.free") : formatMoney(service.price, locale)}
                    </p>
                    <Link
                      href={`/services/${service.slug}`}
                      aria-label={t("services.bookAria", { name: service.name })}
                      className={buttonClasses("primary", "mt-4 w-full")}
                    >
                      {t("services.book")}
                    </Link>
                  </Card>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section id="how" aria-labelledby="how-title" className="border-t border-stone-200 bg-white">
          <div className="mx-auto max-w-6xl scroll-mt-20 px-4 py-16 sm:px-6">
            <h2 id="how-title" className="text-2xl font-bold text-brand-900">
              {t("how.title")}
            </h2>
            <ol className="mt-8 grid gap-6 sm:grid-cols-3">
              {(["step1", "step2", "step3"] as const).map((step, i) => (
                <li key={step} className="rounded-2xl bg-stone-50 p-6">
                  <span className="grid size-9 place-items-center rounded-full bg-brand-600 font-bold text-white">
                    {i + 1}
                  </span>
                  <h3 className="mt-4 font-semibold">{t(`how.${step}`)}</h3>
                  <p className="mt-1 text-sm text-stone-600">{t(`how.${step}Body`)}</p>
                </li>
              ))}
            </ol>
          </div>
        </section>
      </main>
      <footer className="border-t border-stone-200 py-8 text-center text-sm text-stone-500">{t("footer.note")}</footer>
    </>
  );
}
