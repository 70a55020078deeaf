import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { PageShell } from "@/components/booking/page-shell";
import { Badge } from "@/components/ui/card";
import { buttonClasses } from "@/components/ui/button";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatDay, formatTime, groupByDay } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import { isLookupKey } from "@/lib/text";
import { addDays, localDateOf, zonedInstant } from "@/lib/time";
import { listSlots, type PublicSlot } from "@/server/booking/availability";
import { getPublicService } from "@/server/catalog/services";

export const dynamic = "force-dynamic";

const DAYS_SHOWN = 14;

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  const service = isLookupKey(slug) ? await getPublicService({ slug }, await getCurrentLocale()) : null;
  const t = await getTranslations("meta");
  return { title: service ? `${service.name} | ${t("title")}` : t("title") };
}

/** Slot picker: the next 14 days of a service, grouped by day in the business time zone. */
export default async function ServiceSlotsPage({ params }: Props) {
  const { slug } = await params;
  // NUL or other garbage in the URL is simply no such service (PostgreSQL would refuse it in a query).
  if (!isLookupKey(slug)) notFound();
  const locale = await getCurrentLocale();
  const t = await getTranslations();
  const service = await getPublicService({ slug }, locale);
  if (!service) notFound();

  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const now = clock.now();
  const until = zonedInstant(addDays(localDateOf(now, timeZone), DAYS_SHOWN), 0, 0, timeZone);
  const slots = await listSlots({ serviceId: service.id, from: now, to: until });
  const days = groupByDay(slots, timeZone);
  const anyOpen = slots.some((s) => s.status === "open");
  const price = service.price.amount === 0 ? t("common.free") : formatMoney(service.price, locale);

  return (
    <PageShell back={{ href: "/#services", label: t("common.backToServices") }}>
      <header className="mt-4">
        <h1 className="text-2xl font-bold text-brand-900 sm:text-3xl">{service.name}</h1>
        <p className="mt-3 leading-7 text-stone-700">{service.description}</p>
        <div className="mt-4 flex flex-wrap gap-2">
          <Badge>{t("services.minutes", { minutes: service.durationMinutes })}</Badge>
          <Badge className="bg-stone-100 text-stone-700">
            {service.price.amount === 0 ? price : t("slots.perPerson", { price })}
          </Badge>
        </div>
      </header>

      <section aria-labelledby="slots-heading" className="mt-10">
        <h2 id="slots-heading" className="text-xl font-bold text-brand-900">
          {t("slots.heading")}
        </h2>
        <p className="mt-1 text-sm text-stone-600">{t("slots.intro")}</p>
        <p className="mt-1 text-xs text-stone-500">{t("common.timeZoneNote", { timeZone })}</p>

        {days.length === 0 ? (
          <Notice className="mt-6" title={t("slots.empty")}>
            <p>{t("slots.emptyHint")}</p>
            <Link href="/#services" className={buttonClasses("secondary", "mt-3")}>
              {t("common.backToServices")}
            </Link>
          </Notice>
        ) : (
          <>
            {anyOpen ? null : <Notice tone="warning" className="mt-6" title={t("slots.allFull")} />}
            <div className="mt-6 space-y-6">
              {days.map(({ day, items }) => (
                <section key={day} aria-labelledby={`day-${day}`}>
                  <h3 id={`day-${day}`} className="text-base font-semibold text-stone-900">
                    {formatDay(items[0]?.startsAt ?? day, locale, timeZone)}
                  </h3>
                  <ul
                    aria-label={t("slots.slotsOfDay", { day: formatDay(items[0]?.startsAt ?? day, locale, timeZone) })}
                    className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3 md:grid-cols-4"
                  >
                    {items.map((slot) => (
                      <li key={slot.id}>
                        <SlotChoice
                          slot={slot}
                          time={formatTime(slot.startsAt, locale, timeZone)}
                          labels={slotLabels(t, slot)}
                        />
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          </>
        )}
      </section>
    </PageShell>
  );
}

function slotLabels(t: Awaited<ReturnType<typeof getTranslations>>, slot: PublicSlot): string {
  if (slot.status === "sold_out") return t("slots.soldOut");
  if (slot.status === "closed") return t("slots.closed");
  return t("slots.remaining", { count: slot.remaining });
}

function SlotChoice({ slot, time, labels }: { slot: PublicSlot; time: string; labels: string }) {
  const base = "flex min-h-16 flex-col items-center justify-center rounded-xl px-3 py-2 text-center";
  if (slot.status !== "open") {
    return (
      <div data-slot-id={slot.id} data-status={slot.status} className={`${base} bg-stone-100 text-stone-500`}>
        <span className="text-lg font-semibold line-through decoration-1">{time}</span>
        <span className="text-xs font-medium">{labels}</span>
      </div>
    );
  }
  return (
    <Link
      href={`/book/${slot.id}`}
      data-slot-id={slot.id}
      data-status={slot.status}
      className={`${base} bg-brand-50 text-brand-900 ring-1 ring-brand-100 transition-colors hover:bg-brand-100 hover:ring-brand-600`}
    >
      <span className="text-lg font-semibold">{time}</span>
      <span className="text-xs text-brand-700">{labels}</span>
    </Link>
  );
}
