import Link from "next/link";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";

/** The frame of every booking page: header, an optional back link, and a readable column. */
export function PageShell({ children, back }: { children: ReactNode; back?: { href: string; label: string } }) {
  return (
    <>
      <SiteHeader />
      <main className="mx-auto w-full max-w-3xl px-4 pt-6 pb-16 sm:px-6 sm:pt-10">
        {back ? (
          <Link
            href={back.href}
            className="inline-flex min-h-11 items-center gap-1 rounded-md text-sm font-medium text-brand-700 hover:underline hover:underline-offset-4"
          >
            <span aria-hidden>←</span>
            {back.label}
          </Link>
        ) : null}
        {children}
      </main>
    </>
  );
}
