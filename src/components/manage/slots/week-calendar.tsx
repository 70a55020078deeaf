import { useTranslations } from "next-intl";
import { dayKey, formatDay, formatTime } from "@/lib/format-datetime";
import { cn } from "@/lib/cn";
import type { AdminSlot } from "@/server/admin/slots";
import type { CalendarWeek } from "@/server/admin/slots-week";
import { SlotChip } from "./slot-chip";

type Props = {
  week: CalendarWeek;
  slots: AdminSlot[];
  today: string;
  selectedId?: string;
  hrefFor: (slotId: string) => string;
  locale: string;
  timeZone: string;
};

/**
 * The week as a table: one column per day, one row per start time that occurs in the week (so a sparse timetable
 * stays compact). From the md breakpoint up; narrower screens get SlotDayList. Scrolls sideways on a tablet.
 */
export function WeekCalendar({ week, slots, today, selectedId, hrefFor, locale, timeZone }: Props) {
  const t = useTranslations("manageSlots.calendar");
  const cells = new Map<string, AdminSlot[]>();
  for (const slot of slots) {
    const key = `${dayKey(slot.startsAt, timeZone)} ${formatTime(slot.startsAt, "en", timeZone)}`;
    cells.set(key, [...(cells.get(key) ?? []), slot]);
  }
  const times = [...new Set(slots.map((s) => formatTime(s.startsAt, "en", timeZone)))].sort();
  return (
    <div className="hidden overflow-x-auto rounded-xl border border-stone-200 bg-white md:block">
      <table className="w-full min-w-[56rem] table-fixed border-collapse text-sm">
        <caption className="sr-only">{t("caption")}</caption>
        <thead>
          <tr className="bg-stone-50">
            <th
              scope="col"
              className="w-16 border-b border-stone-200 px-2 py-2 text-left text-xs font-semibold text-stone-600"
            >
              {t("time")}
            </th>
            {week.days.map((day) => (
              <th
                key={day.key}
                scope="col"
                aria-current={day.key === today ? "date" : undefined}
                className={cn(
                  "border-b border-l border-stone-200 px-2 py-2 text-left font-semibold",
                  day.key === today ? "bg-brand-50 text-brand-900" : "text-stone-800",
                )}
              >
                {formatDay(day.from, locale, timeZone)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {times.map((time) => (
            <tr key={time} className="align-top">
              <th
                scope="row"
                className="border-t border-stone-100 px-2 py-2 text-left text-xs font-semibold text-stone-600"
              >
                {time}
              </th>
              {week.days.map((day) => (
                <td
                  key={day.key}
                  className={cn("border-t border-l border-stone-100 p-1", day.key === today && "bg-brand-50/40")}
                >
                  <div className="space-y-1">
                    {(cells.get(`${day.key} ${time}`) ?? []).map((slot) => (
                      <SlotChip
                        key={slot.id}
                        slot={slot}
                        href={hrefFor(slot.id)}
                        selected={slot.id === selectedId}
                        locale={locale}
                        timeZone={timeZone}
                      />
                    ))}
                  </div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The same week as a list grouped by day, for phones and narrow windows. */
export function SlotDayList({ week, slots, today, selectedId, hrefFor, locale, timeZone }: Props) {
  return (
    <div className="space-y-4 md:hidden">
      {week.days.map((day) => {
        const items = slots.filter((s) => dayKey(s.startsAt, timeZone) === day.key);
        if (items.length === 0) return null;
        return (
          <section key={day.key} aria-labelledby={`list-${day.key}`}>
            <h3
              id={`list-${day.key}`}
              className={cn("text-sm font-semibold", day.key === today ? "text-brand-700" : "text-stone-800")}
            >
              {formatDay(day.from, locale, timeZone)}
            </h3>
            <ul className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2">
              {items.map((slot) => (
                <li key={slot.id}>
                  <SlotChip
                    slot={slot}
                    href={hrefFor(slot.id)}
                    selected={slot.id === selectedId}
                    locale={locale}
                    timeZone={timeZone}
                  />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
