import { useTranslations } from "next-intl";

/** The list and detail pages read the database on the server; this holds their place meanwhile. */
export default function Loading() {
  const t = useTranslations("common");
  return (
    <div role="status" aria-busy="true" className="animate-pulse space-y-4">
      <p className="sr-only">{t("loading")}</p>
      <div aria-hidden className="h-8 w-48 rounded-lg bg-stone-200" />
      <div aria-hidden className="h-40 rounded-2xl bg-stone-200" />
      <div aria-hidden className="h-96 rounded-2xl bg-stone-200" />
    </div>
  );
}
