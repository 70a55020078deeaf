import { useTranslations } from "next-intl";
import { formatDateTime } from "@/lib/format-datetime";
import { formatMoney } from "@/lib/money";
import type { TimelineEntry } from "@/server/admin/reservation-timeline";

const SOURCE_STYLE: Record<TimelineEntry["source"], string> = {
  audit: "bg-brand-50 text-brand-800",
  payment: "bg-emerald-50 text-emerald-800",
  refund: "bg-sky-50 text-sky-800",
  notification: "bg-violet-50 text-violet-800",
  webhook: "bg-stone-100 text-stone-700",
};

/** The reservation's one timeline, oldest first (reservation-timeline.ts decides the order). */
export function Timeline({
  entries,
  locale,
  timeZone,
}: {
  entries: TimelineEntry[];
  locale: string;
  timeZone: string;
}) {
  const t = useTranslations("manageReservations.timeline");
  const money = (amount: number, currency: string) => formatMoney({ amount, currency }, locale);
  return (
    <ol className="space-y-3">
      {entries.map((e, i) => (
        // A payment has two entries (started, paid) with one id; the list never reorders, so the position is stable.
        <li
          key={`${e.source}:${e.id}:${i}`}
          className="grid gap-x-3 gap-y-1 border-l-2 border-stone-200 pl-3 sm:grid-cols-[10rem_1fr]"
        >
          <time dateTime={e.at} className="text-xs text-stone-500 tabular-nums">
            {formatDateTime(e.at, locale, timeZone)}
          </time>
          <div className="min-w-0 text-sm">
            <span className={`mr-2 inline-block rounded px-1.5 py-0.5 text-xs font-semibold ${SOURCE_STYLE[e.source]}`}>
              {t(e.source)}
            </span>
            <Line entry={e} money={money} />
          </div>
        </li>
      ))}
    </ol>
  );
}

function Line({ entry: e, money }: { entry: TimelineEntry; money: (amount: number, currency: string) => string }) {
  const t = useTranslations("manageReservations.timeline");
  const small = "mt-0.5 text-xs text-stone-600 break-all";
  switch (e.source) {
    case "audit":
      return (
        <>
          <span className="font-mono font-medium text-stone-900">{e.action}</span>
          <p className={small}>
            {e.actor.id ? t("byUser", { role: e.actor.role, id: e.actor.id }) : t("by", { role: e.actor.role })}
          </p>
          {e.reason ? <p className="mt-0.5 text-sm text-stone-800">{t("reason", { reason: e.reason })}</p> : null}
          {e.requestId || e.ip ? (
            <p className={small}>
              {[e.requestId ? t("request", { id: e.requestId }) : null, e.ip ? t("ip", { ip: e.ip }) : null]
                .filter(Boolean)
                .join(" · ")}
            </p>
          ) : null}
          {e.before !== null || e.after !== null ? (
            <details className="mt-1">
              <summary className="cursor-pointer text-xs font-semibold text-stone-700">{t("details")}</summary>
              <dl className="mt-1 grid gap-1 text-xs">
                {e.before !== null ? <Json label={t("before")} value={e.before} /> : null}
                {e.after !== null ? <Json label={t("after")} value={e.after} /> : null}
              </dl>
            </details>
          ) : null}
        </>
      );
    case "payment":
      return (
        <span>
          {e.event === "paid"
            ? t("paymentPaid", { attempt: e.attempt, amount: money(e.amount, e.currency) })
            : t("paymentStarted", { attempt: e.attempt, amount: money(e.amount, e.currency), status: e.status })}
          {e.outcome ? <span className={`block ${small}`}>{t("outcome", { outcome: e.outcome })}</span> : null}
        </span>
      );
    case "refund":
      return (
        <span>
          {t("refundRow", { amount: money(e.amount, e.currency), status: e.status })}
          <span className={`block ${small}`}>{t("reason", { reason: e.reason })}</span>
          {e.lastError ? <span className="block text-xs text-red-700">{e.lastError}</span> : null}
        </span>
      );
    case "notification":
      return (
        <span>
          {t("notificationRow", { kind: e.kind, channel: e.channel, recipient: e.recipient, status: e.status })}
          {e.lastError ? <span className="block text-xs text-red-700">{e.lastError}</span> : null}
        </span>
      );
    case "webhook":
      return (
        <span>
          <span className="font-mono">{t("webhookRow", { type: e.type, status: e.status })}</span>
          {e.outcome ? <span className={`block ${small}`}>{t("outcome", { outcome: e.outcome })}</span> : null}
          {e.lastError ? <span className="block text-xs text-red-700">{e.lastError}</span> : null}
        </span>
      );
  }
}

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <div>
      <dt className="font-semibold text-stone-700">{label}</dt>
      <dd>
        <pre className="overflow-x-auto rounded bg-stone-50 p-2 font-mono whitespace-pre-wrap text-stone-800">
          {JSON.stringify(value, null, 2)}
        </pre>
      </dd>
    </div>
  );
}
