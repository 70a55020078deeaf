import Link from "next/link";
import { useTranslations } from "next-intl";
import { Notice } from "@/components/booking/notice";
import { buttonClasses } from "@/components/ui/button";

/** What a person sees when the manage link is incomplete or wrong: what happened and what to do, no data. */
export function AccessProblem({ kind }: { kind: "missing_token" | "not_found" }) {
  const t = useTranslations();
  return (
    <>
      <h1 className="mt-4 text-2xl font-bold text-brand-900">
        {kind === "missing_token" ? t("manage.missingTitle") : t("manage.invalidTitle")}
      </h1>
      <Notice tone="warning" className="mt-6">
        <p>{kind === "missing_token" ? t("manage.missingBody") : t("manage.invalidBody")}</p>
      </Notice>
      <Link href="/" className={buttonClasses("secondary", "mt-6")}>
        {t("common.home")}
      </Link>
    </>
  );
}
