import Link from "next/link";
import { useTranslations } from "next-intl";

/** The "back to the calendar" link in the header of the slot pages under /manage/slots. */
export function BackToCalendar() {
  const t = useTranslations("manageSlots");
  return (
    <Link
      href="/manage/slots"
      className="min-h-11 rounded-md px-3 py-2.5 text-sm text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
    >
      {t("backToCalendar")}
    </Link>
  );
}
