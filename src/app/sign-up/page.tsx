import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { PageShell } from "@/components/booking/page-shell";
import { destinationAfterSignIn, safeNext } from "@/server/auth/navigation";
import { getViewer } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("signUp.title"), robots: { index: false } };
}

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next) ?? "";
  const viewer = await getViewer();
  if (viewer) redirect(destinationAfterSignIn(next, viewer.role));
  const t = await getTranslations("auth");
  return (
    <PageShell>
      <div className="mx-auto max-w-md">
        <h1 className="text-2xl font-bold tracking-tight text-stone-900">{t("signUp.title")}</h1>
        <p className="mt-2 text-sm text-stone-600">{t("signUp.lead")}</p>
        <div className="mt-6">
          <SignUpForm next={next} />
        </div>
      </div>
    </PageShell>
  );
}
