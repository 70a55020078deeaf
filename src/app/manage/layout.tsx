import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { signOut } from "@/server/auth/sign-out";
import { setLocale } from "@/server/i18n/locale-actions";
import { ManageNav } from "@/components/manage/nav";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("manageShell");
  return { title: t("meta.title"), robots: { index: false } };
}

/** The staff area's frame: the role check (second of three guards), section links, who is signed in, sign-out. */
export default async function ManageLayout({ children }: { children: ReactNode }) {
  const viewer = await requirePageRole(STAFF_ROLES, "/manage");
  const t = await getTranslations("manageShell");
  const locale = await getLocale();
  const other = locale === "ja" ? "en" : "ja";
  const items = [
    { href: "/manage", label: t("nav.dashboard") },
    { href: "/manage/reservations", label: t("nav.reservations") },
    { href: "/manage/slots", label: t("nav.slots") },
    { href: "/manage/notifications", label: t("nav.notifications") },
    { href: "/manage/webhooks", label: t("nav.webhooks") },
    { href: "/manage/audit", label: t("nav.audit") },
    { href: "/manage/metrics", label: t("nav.metrics") },
    ...(viewer.role === "admin" ? [{ href: "/manage/users", label: t("nav.users") }] : []),
  ];
  return (
    <div className="min-h-dvh bg-stone-50">
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-2 px-4 py-2 sm:px-6">
          <Link href="/manage" className="flex items-center gap-2 text-base font-bold text-brand-900">
            <span aria-hidden className="grid size-7 place-items-center rounded-md bg-brand-600 text-xs text-white">
              S
            </span>
            {t("brand")}
          </Link>
          <div className="flex items-center gap-2 text-sm">
            <span className="text-stone-600" data-testid="manage-viewer">
              {viewer.email} · {t(`roles.${viewer.role}`)}
            </span>
            <form action={setLocale}>
              <input type="hidden" name="locale" value={other} />
              <button
                type="submit"
                lang={other}
                className="min-h-11 rounded-md px-3 text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
              >
                {t("switchLocale")}
              </button>
            </form>
            <form action={signOut}>
              <button
                type="submit"
                className="min-h-11 rounded-md px-3 text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100"
              >
                {t("signOut")}
              </button>
            </form>
          </div>
        </div>
        <div className="mx-auto max-w-7xl px-4 pb-1 sm:px-6">
          <ManageNav items={items} label={t("nav.label")} />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">{children}</main>
    </div>
  );
}
