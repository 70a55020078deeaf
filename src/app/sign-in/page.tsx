import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { AuthPage } from "@/components/auth/auth-page";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Notice } from "@/components/booking/notice";
import { destinationAfterSignIn, safeNext } from "@/server/auth/navigation";
import { getViewer } from "@/server/auth/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("signIn.title"), robots: { index: false } };
}

type Search = Promise<{ next?: string; error?: string; signedOut?: string }>;

export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const next = safeNext(params.next) ?? "";
  const viewer = await getViewer();
  if (viewer) redirect(destinationAfterSignIn(next, viewer.role));
  const t = await getTranslations("auth");
  return (
    <AuthPage title={t("signIn.title")} lead={t("signIn.lead")}>
      {params.signedOut ? <Notice tone="success">{t("signIn.signedOut")}</Notice> : null}
      {params.error === "link_invalid" ? <Notice tone="error">{t("errors.link_invalid")}</Notice> : null}
      <SignInForm next={next} />
    </AuthPage>
  );
}
