import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { ManagePageHeader } from "@/components/manage/page-header";
import { BackToCalendar } from "@/components/manage/slots/back-to-calendar";
import { serviceName } from "@/components/manage/slots/slot-chip";
import { SlotCreateForm } from "@/components/manage/slots/slot-create-form";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import { listStaffServices } from "@/server/admin/slots";
import { parseLocalDate } from "@/server/admin/slots-week";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageSlots");
  return { title: t("meta.create") };
}

type Search = { date?: string | string[]; service?: string | string[] };
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** New slot form; ?date= and ?service= prefill it (the calendar's "new slot" link passes the week and filter). */
export default async function NewSlotPage({ searchParams }: { searchParams: Promise<Search> }) {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage/slots/new");
  const params = await searchParams;
  const t = await getTranslations("manageSlots");
  const locale = await getLocale();
  const services = await listStaffServices(viewer);
  const date = one(params.date);

  return (
    <>
      <ManagePageHeader title={t("create.title")} description={t("create.description")} actions={<BackToCalendar />} />
      <Card className="max-w-2xl p-5 sm:p-6">
        {services.length === 0 ? (
          <Notice tone="warning">{t("create.noServices")}</Notice>
        ) : (
          <SlotCreateForm
            services={services.map((s) => ({
              id: s.id,
              name: serviceName(s, locale),
              defaultCapacity: s.defaultCapacity,
              durationMinutes: s.durationMinutes,
              active: s.active,
            }))}
            initial={{ date: date && parseLocalDate(date) ? date : undefined, serviceId: one(params.service) }}
            timeZone={getEnv().BUSINESS_TIMEZONE}
          />
        )}
      </Card>
    </>
  );
}
