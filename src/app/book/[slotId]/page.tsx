import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { Notice } from "@/components/booking/notice";
import { PageShell } from "@/components/booking/page-shell";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getCurrentLocale } from "@/i18n/current-locale";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatSlotRange } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import { getPublicSlot } from "@/server/booking/availability";
import { getPublicService } from "@/server/catalog/services";
import { BookingForm } from "./booking-form";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ slotId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: `${t("book.heading")} | ${t("meta.title")}` };
}

/** Details form for one slot; the slot is re-checked here so a full or past slot never shows a form. */
export default async function BookSlotPage({ params }: Props) {
  const { slotId } = await params;
  if (!z.uuid().safeParse(slotId).success) notFound();
  const locale = await getCurrentLocale();
  const t = await getTranslations();
  const slot = await getPublicSlot(slotId);
  const service = slot ? await getPublicService({ id: slot.serviceId }, locale) : null;
  if (!slot || !service) notFound();

  const { BUSINESS_TIMEZONE: timeZone, MAX_SEATS_PER_BOOKING, HOLD_MINUTES } = getEnv();
  const slotsHref = `/services/${service.slug}`;
  const started = new Date(slot.startsAt) <= clock.now();
  const unavailable = started ? "past" : slot.status === "open" ? null : slot.status;
  const price = service.price.amount === 0 ? t("common.free") : formatMoney(service.price, locale);

  return (
    <PageShell back={{ href: slotsHref, label: t("book.back") }}>
      <h1 className="mt-4 text-2xl font-bold text-brand-900 sm:text-3xl">{t("book.heading")}</h1>

      <Card className="mt-6 p-5">
        <h2 className="text-sm font-semibold text-stone-600">{t("book.summary")}</h2>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-stone-600">{t("book.service")}</dt>
          <dd className="font-semibold text-stone-900">{service.name}</dd>
          <dt className="text-stone-600">{t("book.when")}</dt>
          <dd className="font-semibold text-stone-900">
            {formatSlotRange(slot.startsAt, slot.endsAt, locale, timeZone)}
          </dd>
          <dt className="text-stone-600">{t("book.price")}</dt>
          <dd className="text-stone-900">{price}</dd>
          {unavailable ? null : (
            <>
              <dt className="text-stone-600">{t("book.remaining")}</dt>
              <dd className="text-stone-900">{t("slots.remaining", { count: slot.remaining })}</dd>
            </>
          )}
        </dl>
      </Card>

      {unavailable ? (
        <Notice tone="warning" className="mt-6" title={t(`book.unavailable_${unavailable}`)}>
          <p>{t("book.unavailableBody")}</p>
          <Link href={slotsHref} className={buttonClasses("primary", "mt-3")}>
            {t("book.chooseAnother")}
          </Link>
        </Notice>
      ) : (
        <Card className="mt-6 p-5 sm:p-6">
          <BookingForm
            slotId={slot.id}
            slotsHref={slotsHref}
            maxQuantity={Math.max(1, Math.min(slot.remaining, MAX_SEATS_PER_BOOKING))}
            unitPrice={service.price}
            holdMinutes={HOLD_MINUTES}
          />
        </Card>
      )}
    </PageShell>
  );
}
