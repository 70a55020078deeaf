import { getTranslations } from "next-intl/server";

/** Skeleton while the week's slots are read (shown on week and filter changes too). */
export default async function SlotsLoading() {
  const t = await getTranslations("manageSlots");
  return (
    <div role="status" aria-live="polite" className="animate-pulse">
      <p className="sr-only">{t("loading")}</p>
      <div aria-hidden className="h-8 w-40 rounded-lg bg-stone-200" />
      <div aria-hidden className="mt-6 h-11 w-full max-w-xl rounded-lg bg-stone-200" />
      <div aria-hidden className="mt-4 grid grid-cols-7 gap-1">
        {Array.from({ length: 21 }, (_, i) => (
          <div key={i} className="h-16 rounded-lg bg-stone-200" />
        ))}
      </div>
    </div>
  );
}
