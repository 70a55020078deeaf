import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { isOneOf } from "@/lib/one-of";
import { paymentFilters, reservationStatuses } from "@/lib/schemas/reservation-list";

const STATUS_STYLE: Record<string, string> = {
  held: "bg-amber-100 text-amber-900",
  confirmed: "bg-emerald-100 text-emerald-900",
  cancelled: "bg-stone-200 text-stone-700",
  expired: "bg-stone-200 text-stone-700",
  no_show: "bg-red-100 text-red-900",
};

/** A reservation's status in staff words (the customer-facing badge says "awaiting payment" and so on). */
export function ReservationStatus({ status, className }: { status: string; className?: string }) {
  const t = useTranslations("manageReservations.status");
  const label = isOneOf(reservationStatuses, status) ? t(status) : status;
  return (
    <Badge className={cn("whitespace-nowrap", STATUS_STYLE[status] ?? "bg-stone-200 text-stone-700", className)}>
      {label}
    </Badge>
  );
}

const PAYMENT_STYLE: Record<string, string> = {
  pending: "bg-amber-100 text-amber-900",
  succeeded: "bg-emerald-100 text-emerald-900",
  failed: "bg-red-100 text-red-900",
  refunded: "bg-sky-100 text-sky-900",
  partially_refunded: "bg-sky-100 text-sky-900",
};

export function PaymentStatus({ status, late }: { status: string | null; late?: boolean }) {
  const t = useTranslations("manageReservations.payment");
  const value = status ?? "none";
  const label = isOneOf(paymentFilters, value) ? t(value) : value;
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge className={cn("whitespace-nowrap", PAYMENT_STYLE[value] ?? "bg-stone-100 text-stone-700")}>{label}</Badge>
      {late ? <Badge className="whitespace-nowrap bg-red-100 text-red-900">{t("late")}</Badge> : null}
    </span>
  );
}
