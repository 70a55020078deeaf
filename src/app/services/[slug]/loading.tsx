import { useTranslations } from "next-intl";
import { PageLoading } from "@/components/booking/page-loading";

export default function Loading() {
  const t = useTranslations("slots");
  return <PageLoading label={t("loading")} />;
}
