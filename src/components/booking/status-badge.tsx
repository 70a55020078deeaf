import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { isOneOf } from "@/lib/one-of";
import { reservationStatuses } from "@/lib/schemas/reservation-list";

const styles: Record<string, string> = {
  held: "bg-amber-100 text-amber-900",
  confirmed: "bg-emerald-100 text-emerald-900",
  cancelled: "bg-stone-200 text-stone-700",
  expired: "bg-stone-200 text-stone-700",
  no_show: "bg-stone-200 text-stone-700",
};

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  const t = useTranslations("status");
  const label = isOneOf(reservationStatuses, status) ? t(status) : status;
  return (
    <Badge className={cn("px-3 py-1 text-sm", styles[status] ?? "bg-stone-200 text-stone-700", className)}>
      {label}
    </Badge>
  );
}
