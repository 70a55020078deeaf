import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { AuthPage } from "@/components/auth/auth-page";
import { SignUpForm } from "@/components/auth/sign-up-form";
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
    <AuthPage title={t("signUp.title")} lead={t("signUp.lead")}>
      <SignUpForm next={next} />
    </AuthPage>
  );
}
