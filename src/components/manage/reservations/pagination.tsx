import { useTranslations } from "next-intl";
import Link from "next/link";
import { cn } from "@/lib/cn";
import { listHref } from "./list-params";

/** First / previous / next / last as links (the page lives in the address), with the current page said in words. */
export function Pagination({
  params,
  page,
  pageSize,
  total,
}: {
  params: Record<string, string>;
  page: number;
  pageSize: number;
  total: number;
}) {
  const t = useTranslations("manageReservations.pages");
  const pages = Math.max(1, Math.min(100_000, Math.ceil(total / pageSize)));
  const link = (label: string, target: number, disabled: boolean, rel?: string) =>
    disabled ? (
      <span
        aria-disabled="true"
        className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm text-stone-400 ring-1 ring-stone-200"
      >
        {label}
      </span>
    ) : (
      <Link
        href={listHref(params, { page: target === 1 ? undefined : target })}
        rel={rel}
        className={cn(
          "inline-flex min-h-11 items-center rounded-lg bg-white px-3 text-sm font-semibold text-stone-800 ring-1 ring-stone-300 hover:bg-stone-100",
        )}
      >
        {label}
      </Link>
    );
  return (
    <nav aria-label={t("label")} className="flex flex-wrap items-center gap-2">
      {link(t("first"), 1, page <= 1)}
      {link(t("previous"), page - 1, page <= 1, "prev")}
      <span className="px-2 text-sm text-stone-700" aria-current="page">
        {t("current", { page, pages })}
      </span>
      {link(t("next"), page + 1, page >= pages, "next")}
      {link(t("last"), pages, page >= pages)}
    </nav>
  );
}
