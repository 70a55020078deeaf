import { useTranslations } from "next-intl";
import { PageShell } from "./page-shell";

/** Skeleton for the booking pages while the server reads availability or a reservation. */
export function PageLoading({ label }: { label?: string }) {
  const t = useTranslations("common");
  return (
    <PageShell>
      <div role="status" className="mt-6 animate-pulse" aria-live="polite">
        <p className="sr-only">{label ?? t("loading")}</p>
        <div aria-hidden className="h-8 w-2/3 rounded-lg bg-stone-200" />
        <div aria-hidden className="mt-4 h-4 w-full rounded bg-stone-200" />
        <div aria-hidden className="mt-2 h-4 w-5/6 rounded bg-stone-200" />
        <div aria-hidden className="mt-8 grid grid-cols-2 gap-2 sm:grid-cols-4">
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="h-16 rounded-xl bg-stone-200" />
          ))}
        </div>
        <p aria-hidden className="mt-6 text-sm text-stone-500">
          {label ?? t("loading")}
        </p>
      </div>
    </PageShell>
  );
}
