import Link from "next/link";
import { useTranslations } from "next-intl";
import { inputClasses } from "@/components/booking/form-field";
import { Button, buttonClasses } from "@/components/ui/button";
import { cn } from "@/lib/cn";
import type { AdminService } from "@/server/admin/slots";
import { serviceName } from "./slot-chip";

/**
 * Week navigation and the service filter. A plain GET form and links, so every state is a URL (shareable, the back
 * button works) and it works before any script has loaded.
 */
export function CalendarToolbar({
  weekStart,
  hrefForWeek,
  adjacent,
  services,
  serviceId,
  locale,
}: {
  weekStart: string;
  hrefForWeek: (week: string | undefined) => string;
  adjacent: { previous: string; next: string };
  services: AdminService[];
  serviceId?: string;
  locale: string;
}) {
  const t = useTranslations("manageSlots.toolbar");
  return (
    <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
      <nav aria-label={t("weekNav")} className="flex flex-wrap gap-2">
        <Link href={hrefForWeek(adjacent.previous)} className={buttonClasses("secondary")} rel="prev">
          <span aria-hidden>←</span> {t("previous")}
        </Link>
        <Link href={hrefForWeek(undefined)} className={buttonClasses("secondary")}>
          {t("thisWeek")}
        </Link>
        <Link href={hrefForWeek(adjacent.next)} className={buttonClasses("secondary")} rel="next">
          {t("next")} <span aria-hidden>→</span>
        </Link>
      </nav>
      <form
        method="get"
        action="/manage/slots"
        className="flex flex-wrap items-end gap-2"
        role="search"
        aria-label={t("filters")}
      >
        <div>
          <label htmlFor="slots-week" className="block text-xs font-semibold text-stone-700">
            {t("date")}
          </label>
          <input
            id="slots-week"
            type="date"
            name="week"
            defaultValue={weekStart}
            className={cn(inputClasses, "mt-1 w-44")}
          />
        </div>
        <div>
          <label htmlFor="slots-service" className="block text-xs font-semibold text-stone-700">
            {t("service")}
          </label>
          <select
            id="slots-service"
            name="service"
            defaultValue={serviceId ?? ""}
            className={cn(inputClasses, "mt-1 w-56")}
          >
            <option value="">{t("allServices")}</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {serviceName(s, locale)}
                {s.active ? "" : ` (${t("inactive")})`}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary">
          {t("show")}
        </Button>
      </form>
    </div>
  );
}
