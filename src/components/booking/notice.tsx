import type { ComponentProps } from "react";
import { cn } from "@/lib/cn";

const tones = {
  info: "border-brand-100 bg-brand-50 text-brand-900",
  success: "border-emerald-200 bg-emerald-50 text-emerald-900",
  warning: "border-amber-200 bg-amber-50 text-amber-900",
  error: "border-red-200 bg-red-50 text-red-900",
} as const;

/** A boxed message. Give it role="alert" or role="status" only when it appears in response to something. */
export function Notice({
  tone = "info",
  title,
  className,
  children,
  ...props
}: ComponentProps<"div"> & { tone?: keyof typeof tones; title?: string }) {
  return (
    <div className={cn("rounded-xl border p-4 text-sm leading-6", tones[tone], className)} {...props}>
      {title ? <p className="font-semibold">{title}</p> : null}
      {children ? <div className={title ? "mt-1" : undefined}>{children}</div> : null}
    </div>
  );
}
