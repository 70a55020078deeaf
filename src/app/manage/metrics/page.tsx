import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { ManagePageHeader } from "@/components/manage/page-header";
import { TimeChart } from "@/components/manage/metrics/time-chart";
import { Cell, DataTable, EmptyRow } from "@/components/manage/ops/ui";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { logger } from "@/lib/logger";
import { requirePageRole, STAFF_ROLES } from "@/server/auth/pages";
import {
  METRIC_WINDOWS,
  readMetricsDashboard,
  type MetricWindow,
  type MetricsDashboard,
} from "@/server/observability/metrics-store";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("manageMetrics"))("title") };
}

const PATH = "/manage/metrics";
const WINDOWS = Object.keys(METRIC_WINDOWS) as MetricWindow[];

/**
 * The built-in availability dashboard (docs/metrics.md): API success rate, error rate and p50/p95/p99 latency per
 * route group over the last hour, day or 7 days, summed over every app instance, plus the business counters.
 */
export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ window?: string | string[] }> }) {
  const viewer = await requirePageRole(STAFF_ROLES, PATH);
  const asked = (await searchParams).window;
  const window: MetricWindow = WINDOWS.includes(asked as MetricWindow) ? (asked as MetricWindow) : "hour";
  const [t, format, locale, timeZone] = await Promise.all([
    getTranslations("manageMetrics"),
    getFormatter(),
    getLocale(),
    getTimeZone(),
  ]);
  const chartTime = { locale, timeZone, timeLabel: t("chart.time") };
  let data: MetricsDashboard | null = null;
  try {
    data = await readMetricsDashboard(viewer, window);
  } catch (error) {
    logger.error({ event: "metrics.read_failed", err: error }, "metrics dashboard could not be read");
  }

  const percent = (v: number | null) =>
    v === null ? t("none") : format.number(v, { style: "percent", maximumFractionDigits: 2 });
  const ms = (v: number | null) => (v === null ? t("none") : t("ms", { value: format.number(v) }));
  const tick = (iso: string) =>
    format.dateTime(
      new Date(iso),
      window === "week"
        ? { month: "numeric", day: "numeric", hour: "2-digit" }
        : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    );

  return (
    <>
      <ManagePageHeader title={t("title")} description={t("description")} />
      <nav aria-label={t("windowLabel")} className="mb-6 flex flex-wrap gap-2">
        {WINDOWS.map((w) => (
          <Link
            key={w}
            href={`${PATH}?window=${w}`}
            aria-current={w === window ? "page" : undefined}
            className={cn(
              "inline-flex min-h-11 items-center rounded-md px-4 text-sm ring-1 ring-stone-300",
              w === window ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-stone-700 hover:bg-stone-100",
            )}
          >
            {t(`windows.${w}`)}
          </Link>
        ))}
      </nav>

      {data === null ? (
        <Card role="alert" className="border-red-200 bg-red-50 p-6 text-red-800" data-testid="metrics-error">
          <p className="font-semibold">{t("error.title")}</p>
          <p className="mt-1 text-sm">{t("error.body")}</p>
        </Card>
      ) : (
        <>
          <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6" data-testid="metrics-summary">
            {[
              [t("requests"), format.number(data.total.requests)],
              [t("successRate"), percent(data.total.successRate)],
              [t("errorRate"), percent(data.total.errorRate)],
              ["p50", ms(data.total.latencyMs.p50)],
              ["p95", ms(data.total.latencyMs.p95)],
              ["p99", ms(data.total.latencyMs.p99)],
            ].map(([label, value]) => (
              <Card key={label} className="p-4">
                <p className="text-xs text-stone-600">{label}</p>
                <p className="mt-1 text-xl font-bold text-stone-900 tabular-nums">{value}</p>
              </Card>
            ))}
          </div>

          {data.total.requests === 0 ? (
            <Card className="mb-6 p-6 text-stone-700" data-testid="metrics-empty">
              <p className="font-semibold">{t("empty.title")}</p>
              <p className="mt-1 text-sm">{t("empty.body")}</p>
            </Card>
          ) : (
            <div className="mb-6 grid gap-4 lg:grid-cols-2">
              <Card className="p-4">
                <TimeChart
                  {...chartTime}
                  label={t("chart.requests", { step: data.stepMinutes })}
                  times={data.series.map((p) => new Date(p.at).getTime() / 1000)}
                  series={[
                    { label: t("requests"), values: data.series.map((p) => p.requests), color: "#2563eb" },
                    { label: t("errors"), values: data.series.map((p) => p.errors), color: "#dc2626" },
                  ]}
                />
              </Card>
              <Card className="p-4">
                <TimeChart
                  {...chartTime}
                  label={t("chart.latency")}
                  unit=" ms"
                  times={data.series.map((p) => new Date(p.at).getTime() / 1000)}
                  series={[{ label: "p95", values: data.series.map((p) => p.p95Ms), color: "#7c3aed" }]}
                />
              </Card>
            </div>
          )}

          <DataTable
            title={t("groups")}
            head={[t("group"), t("requests"), t("successRate"), t("errorRate"), "p50", "p95", "p99"]}
          >
            {data.groups.length === 0 ? <EmptyRow columns={7} /> : null}
            {data.groups.map((g) => (
              <tr key={g.group} data-testid={`metrics-group-${g.group}`}>
                <Cell>
                  {t.has(`routeGroups.${g.group}`) ? t(`routeGroups.${g.group}` as "routeGroups.other") : g.group}
                </Cell>
                <Cell className="tabular-nums">{format.number(g.requests)}</Cell>
                <Cell className="tabular-nums">{percent(g.successRate)}</Cell>
                <Cell className="tabular-nums">{percent(g.errorRate)}</Cell>
                <Cell className="tabular-nums">{ms(g.latencyMs.p50)}</Cell>
                <Cell className="tabular-nums">{ms(g.latencyMs.p95)}</Cell>
                <Cell className="tabular-nums">{ms(g.latencyMs.p99)}</Cell>
              </tr>
            ))}
          </DataTable>

          <h2 className="mt-8 mb-3 text-lg font-semibold text-stone-900">{t("business")}</h2>
          <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="metrics-counters">
            {data.counters.map((c) => (
              <Card key={c.name} className="flex items-center justify-between gap-3 p-4">
                <dt className="text-sm text-stone-700">{t(`counters.${c.name}`)}</dt>
                <dd className="text-lg font-bold text-stone-900 tabular-nums" data-testid={`metrics-counter-${c.name}`}>
                  {format.number(c.value)}
                </dd>
              </Card>
            ))}
          </dl>
          <p className="mt-6 text-xs text-stone-500">{t("range", { from: tick(data.from), to: tick(data.to) })}</p>
        </>
      )}
    </>
  );
}
