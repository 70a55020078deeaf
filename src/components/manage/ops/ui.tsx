import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/cn";

/**
 * Building blocks of the operations screens (dashboard, notifications, webhooks, audit log, users): tables that scroll
 * sideways on a tablet instead of squeezing, status pills, a definition list for detail pages. Server components.
 */

const tones = {
  good: "bg-emerald-100 text-emerald-900",
  bad: "bg-red-100 text-red-900",
  warn: "bg-amber-100 text-amber-900",
  info: "bg-brand-50 text-brand-800",
  muted: "bg-stone-200 text-stone-700",
} as const;
export type Tone = keyof typeof tones;

const TONE_OF: Record<string, Tone> = {
  sent: "good",
  processed: "good",
  succeeded: "good",
  confirmed: "good",
  admin: "info",
  staff: "info",
  failed: "bad",
  bounced: "bad",
  pending: "warn",
  sending: "warn",
  received: "warn",
  held: "warn",
};

export function toneOf(status: string): Tone {
  return TONE_OF[status] ?? "muted";
}

export function Pill({ tone, children, className }: { tone: Tone; children: ReactNode; className?: string }) {
  return (
    <span
      className={cn(
        "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold whitespace-nowrap",
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

/** A table in a labelled region that scrolls horizontally and can be focused for keyboard scrolling. */
export function DataTable({ title, head, children }: { title: string; head: ReactNode[]; children: ReactNode }) {
  const t = useTranslations("manageOps.common");
  return (
    <div
      role="region"
      aria-label={t("tableLabel", { title })}
      tabIndex={0}
      className="overflow-x-auto rounded-xl border border-stone-200 bg-white focus-visible:outline-2 focus-visible:outline-brand-600"
    >
      <table className="min-w-full divide-y divide-stone-200 text-sm">
        <thead className="bg-stone-50">
          <tr>
            {head.map((cell, i) => (
              <th key={i} scope="col" className="px-3 py-2.5 text-left font-semibold whitespace-nowrap text-stone-700">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">{children}</tbody>
      </table>
    </div>
  );
}

export function Cell({ children, className, mono }: { children: ReactNode; className?: string; mono?: boolean }) {
  return (
    <td className={cn("px-3 py-2.5 align-top text-stone-800", mono && "font-mono text-xs", className)}>{children}</td>
  );
}

export function EmptyRow({ columns }: { columns: number }) {
  const t = useTranslations("manageOps.common");
  return (
    <tr>
      <td colSpan={columns} className="px-3 py-8 text-center text-stone-500">
        {t("empty")}
      </td>
    </tr>
  );
}

/** A link with a touch-sized hit area, used in tables and lists. */
export function RowLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    <Link
      href={href}
      className={cn(
        "inline-flex min-h-11 items-center font-medium text-brand-700 underline-offset-2 hover:underline",
        className,
      )}
    >
      {children}
    </Link>
  );
}

export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
      {items.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="font-semibold text-stone-600">{term}</dt>
          <dd className="break-words text-stone-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Panel({
  title,
  children,
  className,
  actions,
}: {
  title: string;
  children: ReactNode;
  className?: string;
  actions?: ReactNode;
}) {
  return (
    <Card className={cn("p-5", className)}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold text-stone-900">{title}</h2>
        {actions}
      </div>
      {children}
    </Card>
  );
}

/** Pretty-printed JSON as text (never as HTML). */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      className="max-h-[32rem] overflow-auto rounded-lg bg-stone-900 p-4 font-mono text-xs leading-5 text-stone-100 focus-visible:outline-2 focus-visible:outline-brand-600"
    >
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** An id-like value in monospace, shortened for tables with the full value in the title. */
export function Mono({ value, short }: { value: string | null | undefined; short?: boolean }) {
  if (!value) return <span className="text-stone-400">—</span>;
  return (
    <span className="font-mono text-xs" title={value}>
      {short && value.length > 14 ? `${value.slice(0, 12)}…` : value}
    </span>
  );
}

/** A stored error message in red, or a dash when there is none (detail pages' "last error" fact). */
export function ErrorText({ value }: { value: string | null | undefined }) {
  return value ? <span className="text-red-800">{value}</span> : "—";
}

/** The "back to the list" button in a detail page's header. */
export function BackToList({ href }: { href: string }) {
  const common = useTranslations("manageOps.common");
  return (
    <Link href={href} className={buttonClasses("secondary")}>
      {common("backToList")}
    </Link>
  );
}

/** A detail page's two columns on a wide screen: facts and actions at the side, the main content beside them. */
export function DetailColumns({ side, main }: { side: ReactNode; main: ReactNode }) {
  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
      <div className="space-y-4">{side}</div>
      {main}
    </div>
  );
}
