import { PageLoading } from "@/components/booking/page-loading";

export default function Loading() {
  return <PageLoading />;
}
