"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";
import { Button, buttonClasses } from "@/components/ui/button";

/**
 * The error state of the booking pages: what happened, "try again" (re-fetches the segment) and a way out. The
 * digest matches the server log line, so support can find the cause.
 */
export function RouteError({ error, retry }: { error: unknown; retry: () => void }) {
  const t = useTranslations();
  const heading = useRef<HTMLHeadingElement>(null);
  const digest =
    error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : undefined;

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col justify-center px-6 py-16">
      <p className="text-sm font-semibold text-accent-500">Slotbook</p>
      <h1 ref={heading} tabIndex={-1} className="mt-2 text-2xl font-bold text-brand-900 outline-none">
        {t("errorPage.title")}
      </h1>
      <p role="alert" className="mt-4 leading-7 text-stone-700">
        {t("errorPage.body")}
      </p>
      {digest ? <p className="mt-2 text-xs text-stone-500">{t("errorPage.digest", { digest })}</p> : null}
      <div className="mt-8 flex flex-wrap gap-3">
        <Button type="button" onClick={() => retry()}>
          {t("errorPage.retry")}
        </Button>
        <Link href="/" className={buttonClasses("secondary")}>
          {t("common.home")}
        </Link>
      </div>
    </main>
  );
}
