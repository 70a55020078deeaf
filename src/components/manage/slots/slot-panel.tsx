import Link from "next/link";
import { useTranslations } from "next-intl";
import { Card } from "@/components/ui/card";
import { formatSlotRange } from "@/lib/format-datetime";
import type { AdminSlot } from "@/server/admin/slots";
import { PanelHeading } from "./panel-heading";
import { serviceName } from "./slot-chip";
import { SlotActions } from "./slot-actions";

/** The selected slot (?slot=<id>): its facts and the changes staff can make. */
export function SlotPanel({
  slot,
  closeHref,
  locale,
  timeZone,
}: {
  slot: AdminSlot;
  closeHref: string;
  locale: string;
  timeZone: string;
}) {
  const t = useTranslations("manageSlots.panel");
  const ts = useTranslations("manageSlots");
  const when = formatSlotRange(slot.startsAt, slot.endsAt, locale, timeZone);
  const name = serviceName(slot.service, locale);
  return (
    <Card className="p-4 sm:p-5" aria-labelledby="slot-panel-heading" role="region">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <PanelHeading key={slot.id} id="slot-panel-heading">
            {name}
          </PanelHeading>
          <p className="text-sm text-stone-700">{when}</p>
        </div>
        <Link
          href={closeHref}
          className="min-h-11 rounded-md px-3 py-2.5 text-sm text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
        >
          {t("close")}
        </Link>
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-stone-600">{t("status")}</dt>
          <dd className="font-semibold" data-testid="slot-status">
            {ts(`status.${slot.status}`)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-stone-600">{t("seats")}</dt>
          <dd className="font-semibold">{ts("seatsLabel", { reserved: slot.reserved, capacity: slot.capacity })}</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-600">{t("held")}</dt>
          <dd className="font-semibold">{slot.held}</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-600">{t("origin")}</dt>
          <dd className="font-semibold">{slot.ruleId ? t("fromRule") : t("manual")}</dd>
        </div>
      </dl>
      <div className="mt-5 border-t border-stone-200 pt-4">
        <SlotActions
          key={slot.id}
          slot={{
            id: slot.id,
            status: slot.status,
            capacity: slot.capacity,
            reserved: slot.reserved,
            label: `${name} ${when}`,
          }}
        />
      </div>
    </Card>
  );
}
