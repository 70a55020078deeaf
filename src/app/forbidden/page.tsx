import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { signOut } from "@/server/auth/sign-out";
import { PageShell } from "@/components/booking/page-shell";
import { buttonClasses } from "@/components/ui/button";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("forbidden.title"), robots: { index: false } };
}

/** Shown (with status 403 from the proxy) when a signed-in person opens a page their role may not see. */
export default async function ForbiddenPage() {
  const t = await getTranslations("auth");
  return (
    <PageShell>
      <div className="mx-auto max-w-md">
        <h1 className="text-2xl font-bold tracking-tight text-stone-900">{t("forbidden.title")}</h1>
        <p className="mt-2 text-sm text-stone-600">{t("forbidden.body")}</p>
        <div className="mt-6 flex flex-wrap gap-2">
          <Link href="/account" className={buttonClasses("primary")}>
            {t("forbidden.account")}
          </Link>
          <form action={signOut}>
            <button type="submit" className={buttonClasses("secondary")}>
              {t("forbidden.switch")}
            </button>
          </form>
        </div>
      </div>
    </PageShell>
  );
}
