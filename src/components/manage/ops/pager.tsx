import Link from "next/link";
import { useTranslations } from "next-intl";
import { buttonClasses } from "@/components/ui/button";
import { hrefWith } from "@/server/admin/list-query";

/** Previous / next links for a server-paged list; the filters stay in the URL. */
export function Pager({
  path,
  params,
  page,
  pageSize,
  total,
}: {
  path: string;
  params: Record<string, string>;
  page: number;
  pageSize: number;
  total: number;
}) {
  const t = useTranslations("manageOps.common");
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav
      aria-label={t("pagination")}
      className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-stone-700"
    >
      <p>
        {t("results", { count: total })} · {t("pageOf", { page: Math.min(page, pages), pages })}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link
            rel="prev"
            href={hrefWith(path, params, { page: Math.min(page - 1, pages) })}
            className={buttonClasses("secondary")}
          >
            {t("previous")}
          </Link>
        ) : null}
        {page < pages ? (
          <Link rel="next" href={hrefWith(path, params, { page: page + 1 })} className={buttonClasses("secondary")}>
            {t("next")}
          </Link>
        ) : null}
      </div>
    </nav>
  );
}

/** Newer / older links for a keyset-paged list (the audit log). */
export function CursorPager({
  path,
  params,
  newer,
  older,
}: {
  path: string;
  params: Record<string, string>;
  newer: number | null;
  older: number | null;
}) {
  const t = useTranslations("manageOps.common");
  const base = { before: undefined, after: undefined };
  const atNewest = !params.before && !params.after;
  return (
    <nav aria-label={t("pagination")} className="mt-4 flex flex-wrap justify-end gap-2 text-sm">
      {!atNewest ? (
        <Link href={hrefWith(path, params, base)} className={buttonClasses("ghost")}>
          {t("newest")}
        </Link>
      ) : null}
      {newer !== null ? (
        <Link
          rel="prev"
          href={hrefWith(path, params, { ...base, after: newer })}
          className={buttonClasses("secondary")}
        >
          {t("newer")}
        </Link>
      ) : null}
      {older !== null ? (
        <Link
          rel="next"
          href={hrefWith(path, params, { ...base, before: older })}
          className={buttonClasses("secondary")}
        >
          {t("older")}
        </Link>
      ) : null}
    </nav>
  );
}
