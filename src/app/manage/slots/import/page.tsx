import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { BackToCalendar } from "@/components/manage/slots/back-to-calendar";
import { ImportForm } from "@/components/manage/slots/import-form";
import { Card } from "@/components/ui/card";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { addDays, formatLocalDate, localDateOf } from "@/lib/time";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import { listStaffServices } from "@/server/admin/slots";
import { MAX_IMPORT_BYTES } from "@/lib/schemas/admin-slots";
import { MAX_IMPORT_ROWS } from "@/server/booking/slot-import";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageSlots");
  return { title: t("meta.import") };
}

/** CSV import with a preview; the format is documented here with a sample built from this site's own services. */
export default async function SlotImportPage() {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage/slots/import");
  const t = await getTranslations("manageSlots");
  const locale = await getLocale();
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const services = (await listStaffServices(viewer)).filter((s) => s.active);
  const today = localDateOf(clock.now(), timeZone);
  const [first, second] = [services[0]?.slug ?? "yoga", services[1]?.slug ?? services[0]?.slug ?? "yoga"];
  const day = (n: number) => formatLocalDate(addDays(today, n));
  const sample = [
    "service,date,time,capacity",
    `${first},${day(7)},10:00,8`,
    `${first},${day(7)},14:30,`,
    `${second},${day(8)},09:00,4`,
  ].join("\n");

  return (
    <>
      <ManagePageHeader title={t("import.title")} description={t("import.description")} actions={<BackToCalendar />} />
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <Card className="p-5 sm:p-6">
          <ImportForm locale={locale} timeZone={timeZone} />
        </Card>
        <Card className="p-5 text-sm leading-6 sm:p-6">
          <h2 className="text-base font-bold text-stone-900">{t("import.formatHeading")}</h2>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-stone-700">
            <li>{t("import.formatHeader")}</li>
            <li>{t("import.formatService")}</li>
            <li>{t("import.formatDateTime", { timeZone })}</li>
            <li>{t("import.formatCapacity")}</li>
            <li>{t("import.formatLimits", { rows: MAX_IMPORT_ROWS, mib: MAX_IMPORT_BYTES / 1_048_576 })}</li>
            <li>{t("import.formatAllOrNothing")}</li>
          </ul>
          <h3 className="mt-4 font-semibold text-stone-900">{t("import.sampleHeading")}</h3>
          <pre
            className="mt-2 overflow-x-auto rounded-lg bg-stone-100 p-3 font-mono text-xs"
            data-testid="import-sample"
          >
            {sample}
          </pre>
          <a
            href={`data:text/csv;charset=utf-8,${encodeURIComponent(sample)}`}
            download="slots-sample.csv"
            className="mt-3 inline-flex min-h-11 items-center font-semibold text-brand-700 underline"
          >
            {t("import.downloadSample")}
          </a>
          {services.length > 0 ? (
            <>
              <h3 className="mt-4 font-semibold text-stone-900">{t("import.slugsHeading")}</h3>
              <ul className="mt-1 space-y-0.5 text-stone-700">
                {services.map((s) => (
                  <li key={s.id}>
                    <code className="rounded bg-stone-100 px-1">{s.slug}</code> —{" "}
                    {locale === "en" ? s.nameEn : s.nameJa}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Card>
      </div>
    </>
  );
}
