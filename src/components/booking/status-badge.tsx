import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/card";
import { cn } from "@/lib/cn";

const styles: Record<string, string> = {
  held: "bg-amber-100 text-amber-900",
  confirmed: "bg-emerald-100 text-emerald-900",
  cancelled: "bg-stone-200 text-stone-700",
  expired: "bg-stone-200 text-stone-700",
  no_show: "bg-stone-200 text-stone-700",
};

const known = ["held", "confirmed", "cancelled", "expired", "no_show"] as const;

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  const t = useTranslations("status");
  const label = (known as readonly string[]).includes(status) ? t(status as (typeof known)[number]) : status;
  return (
    <Badge className={cn("px-3 py-1 text-sm", styles[status] ?? "bg-stone-200 text-stone-700", className)}>
      {label}
    </Badge>
  );
}
