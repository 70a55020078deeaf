import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { Notice } from "@/components/booking/notice";
import { CalendarToolbar } from "@/components/manage/slots/calendar-toolbar";
import { SlotPanel } from "@/components/manage/slots/slot-panel";
import { SlotDayList, WeekCalendar } from "@/components/manage/slots/week-calendar";
import { ManagePageHeader } from "@/components/manage/page-header";
import { buttonClasses } from "@/components/ui/button";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { dayKey } from "@/lib/format-datetime";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import { getAdminSlot, listCalendarSlots, listStaffServices } from "@/server/admin/slots";
import { calendarWeek } from "@/server/admin/slots-week";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageSlots");
  return { title: t("meta.calendar") };
}

type Search = { week?: string | string[]; service?: string | string[]; slot?: string | string[] };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const uuidOrUndefined = (v: string | string[] | undefined) => {
  const s = one(v);
  return s && UUID.test(s) ? s : undefined;
};

/**
 * The slot calendar: a week (Monday–Sunday, business time zone) of slots, filtered by service; the selected slot's
 * panel with its actions. State lives in the URL (?week, ?service, ?slot); reads run under RLS as the staff member.
 */
export default async function SlotsCalendarPage({ searchParams }: { searchParams: Promise<Search> }) {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage/slots");
  const params = await searchParams;
  const t = await getTranslations("manageSlots");
  const locale = await getLocale();
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const now = clock.now();
  const week = calendarWeek(one(params.week), now, timeZone);
  const current = calendarWeek(undefined, now, timeZone);
  const serviceId = uuidOrUndefined(params.service);
  const selectedId = uuidOrUndefined(params.slot);

  const [services, calendar, selected] = await Promise.all([
    listStaffServices(viewer),
    listCalendarSlots(viewer, { from: week.from.toISOString(), to: week.to.toISOString(), serviceId }),
    selectedId ? getAdminSlot(viewer, selectedId) : Promise.resolve(null),
  ]);

  const href = (next: { week?: string; slot?: string }) => {
    const q = new URLSearchParams();
    if (next.week) q.set("week", next.week);
    if (serviceId) q.set("service", serviceId);
    if (next.slot) q.set("slot", next.slot);
    const s = q.toString();
    return s ? `/manage/slots?${s}` : "/manage/slots";
  };
  const weekParam = week.start === current.start ? undefined : week.start;
  const hrefFor = (slotId: string) => href({ week: weekParam, slot: slotId });
  const newHref = `/manage/slots/new?${new URLSearchParams({ date: week.start, ...(serviceId ? { service: serviceId } : {}) })}`;
  const viewProps = {
    week,
    slots: calendar.slots,
    today: dayKey(now, timeZone),
    selectedId,
    hrefFor,
    locale,
    timeZone,
  };

  return (
    <>
      <ManagePageHeader
        title={t("calendar.title")}
        description={t("calendar.description", { timeZone })}
        actions={
          <>
            <Link href={newHref} className={buttonClasses("primary")}>
              {t("calendar.new")}
            </Link>
            <Link href="/manage/slots/rules" className={buttonClasses("secondary")}>
              {t("calendar.rules")}
            </Link>
            <Link href="/manage/slots/import" className={buttonClasses("secondary")}>
              {t("calendar.import")}
            </Link>
          </>
        }
      />
      <CalendarToolbar
        weekStart={week.start}
        hrefForWeek={(w) => href({ week: w === current.start ? undefined : w })}
        adjacent={{ previous: week.previous, next: week.next }}
        services={services}
        serviceId={serviceId}
        locale={locale}
      />
      <h2 className="sr-only">{t("calendar.weekHeading", { start: week.start })}</h2>
      {selectedId && !selected ? (
        <Notice tone="warning" className="mb-4">
          {t("panel.missing")}
        </Notice>
      ) : null}
      {selected ? (
        <div className="mb-4">
          <SlotPanel slot={selected} closeHref={href({ week: weekParam })} locale={locale} timeZone={timeZone} />
        </div>
      ) : null}
      {calendar.truncated ? (
        <Notice tone="warning" className="mb-4">
          {t("calendar.truncated")}
        </Notice>
      ) : null}
      {calendar.slots.length === 0 ? (
        <Notice title={t("calendar.empty")}>
          <p>{t("calendar.emptyHint")}</p>
        </Notice>
      ) : (
        <>
          <WeekCalendar {...viewProps} />
          <SlotDayList {...viewProps} />
        </>
      )}
    </>
  );
}
