"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Notice } from "@/components/booking/notice";
import { buttonClasses } from "@/components/ui/button";
import { formatCountdown } from "@/lib/format-datetime";

type Props = {
  status: "held" | "expired";
  holdExpiresAt: string;
  /** clock.now() on the server when the page rendered: the countdown runs on the app's clock, not the browser's. */
  serverNow: string;
  holdUntilLabel: string;
  slotsHref: string;
  /** Shown while the hold is running (the payment step). */
  children: ReactNode;
};

const RESYNC_MS = 30_000;
const RECHECK_MS = 5_000;
const MAX_RECHECKS = 24;
/** Minutes left at which screen readers hear how long remains; the visible timer itself is not announced. */
const ANNOUNCE_AT_MINUTES = [5, 1];

/**
 * The hold countdown (mm:ss to holdExpiresAt). It counts from the offset between the server's clock and the
 * browser's, re-syncs with the server every 30 s (the test clock may have moved), and when it reaches zero it keeps
 * re-reading the reservation until the expiry job has released the seats.
 */
export function HoldPanel({ status, holdExpiresAt, serverNow, holdUntilLabel, slotsHref, children }: Props) {
  const t = useTranslations("pay");
  const router = useRouter();
  const expiresMs = Date.parse(holdExpiresAt);
  const serverNowMs = Date.parse(serverNow);
  const [remainingMs, setRemainingMs] = useState(expiresMs - serverNowMs);
  const [announceMinutes, setAnnounceMinutes] = useState<number | null>(null);
  const announced = useRef(new Set<number>());

  useEffect(() => {
    if (status !== "held") return;
    const offset = serverNowMs - Date.now();
    const tick = () => {
      const left = expiresMs - (Date.now() + offset);
      setRemainingMs(left);
      const minutes = ANNOUNCE_AT_MINUTES.find((m) => left <= m * 60_000 && left > (m - 1) * 60_000 + 50_000);
      if (minutes && !announced.current.has(minutes)) {
        announced.current.add(minutes);
        setAnnounceMinutes(minutes);
      }
    };
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [status, expiresMs, serverNowMs]);

  const timeUp = status === "expired" || remainingMs <= 0;
  const waitingForJob = status === "held" && timeUp;

  // While the hold runs: re-read now and then, and whenever the tab comes back, so a moved clock or a change made
  // elsewhere shows up.
  useEffect(() => {
    if (status !== "held" || timeUp) return;
    const timer = setInterval(() => router.refresh(), RESYNC_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") router.refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [status, timeUp, router]);

  // At zero: ask the server until the reservation reads "expired" (the job runs every 30 s), then stop.
  useEffect(() => {
    if (!waitingForJob) return;
    let checks = 0;
    router.refresh();
    const timer = setInterval(() => {
      checks += 1;
      if (checks >= MAX_RECHECKS) clearInterval(timer);
      router.refresh();
    }, RECHECK_MS);
    return () => clearInterval(timer);
  }, [waitingForJob, router]);

  return (
    <>
      <p aria-live="polite" className="sr-only">
        {timeUp ? t("expiredTitle") : announceMinutes ? t("announce", { minutes: announceMinutes }) : ""}
      </p>
      {timeUp ? (
        <Notice tone="warning" className="mt-6" title={t("expiredTitle")} data-testid="hold-expired">
          <p>{t("expiredBody")}</p>
          {waitingForJob ? <p className="mt-1 text-xs opacity-80">{t("checking")}</p> : null}
          <Link href={slotsHref} className={buttonClasses("primary", "mt-3")}>
            {t("chooseAgain")}
          </Link>
        </Notice>
      ) : (
        <>
          <div className="mt-6 flex flex-wrap items-center justify-between gap-4 rounded-2xl bg-brand-900 px-5 py-4 text-white">
            <div>
              <p id="hold-label" className="text-sm text-brand-100">
                {t("holdLabel")}
              </p>
              <p className="text-xs text-brand-100/80">{t("holdUntil", { time: holdUntilLabel })}</p>
            </div>
            <p
              role="timer"
              aria-labelledby="hold-label"
              className="font-mono text-4xl font-bold tabular-nums"
              data-testid="hold-countdown"
            >
              {formatCountdown(remainingMs)}
            </p>
          </div>
          {children}
        </>
      )}
    </>
  );
}
