import Link from "next/link";
import { useTranslations } from "next-intl";
import { formatTime } from "@/lib/format-datetime";
import { cn } from "@/lib/cn";
import type { AdminSlot } from "@/server/admin/slots";

const tone: Record<AdminSlot["status"], string> = {
  open: "border-emerald-300 bg-white hover:bg-emerald-50",
  closed: "border-amber-300 bg-amber-50 hover:bg-amber-100",
  cancelled: "border-stone-300 bg-stone-100 text-stone-500 hover:bg-stone-200",
};

export function serviceName(service: { nameJa: string; nameEn: string }, locale: string): string {
  return locale === "en" ? service.nameEn : service.nameJa;
}

/** One slot in the calendar or the list: time, service, seats taken of capacity, status. Links to its panel. */
export function SlotChip({
  slot,
  href,
  selected,
  locale,
  timeZone,
}: {
  slot: AdminSlot;
  href: string;
  selected: boolean;
  locale: string;
  timeZone: string;
}) {
  const t = useTranslations("manageSlots");
  const full = slot.status === "open" && slot.reserved >= slot.capacity;
  return (
    <Link
      href={href}
      aria-current={selected ? "true" : undefined}
      data-testid="slot-chip"
      className={cn(
        "block min-h-11 rounded-lg border px-2 py-1.5 text-left text-xs leading-5 shadow-sm",
        tone[slot.status],
        selected && "ring-2 ring-brand-600",
      )}
    >
      <span className="block font-semibold text-stone-900">
        {formatTime(slot.startsAt, locale, timeZone)}–{formatTime(slot.endsAt, locale, timeZone)}
      </span>
      <span className={cn("block truncate", slot.status === "cancelled" && "line-through")}>
        {serviceName(slot.service, locale)}
      </span>
      <span className="flex flex-wrap items-center gap-1">
        <span aria-label={t("seatsLabel", { reserved: slot.reserved, capacity: slot.capacity })}>
          {slot.reserved}/{slot.capacity}
        </span>
        {slot.held > 0 ? <span className="text-amber-800">{t("heldShort", { count: slot.held })}</span> : null}
        {full ? <span className="rounded bg-stone-800 px-1 text-white">{t("full")}</span> : null}
        {slot.status !== "open" ? (
          <span className="rounded bg-stone-200 px-1 text-stone-800">{t(`status.${slot.status}`)}</span>
        ) : null}
      </span>
    </Link>
  );
}
