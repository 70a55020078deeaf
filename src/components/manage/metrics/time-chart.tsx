"use client";

import { useEffect, useRef, useState } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = { label: string; values: (number | null)[]; color: string };

/**
 * A time-series line chart drawn by uPlot (canvas, ~50 kB). uPlot reads `window` when it loads, so it is imported in
 * the effect, in the browser only; the chart follows its container's width (tablets included). The numbers are also
 * in the page's tables, so the canvas carries a summary label rather than being the only way to read them. Times are
 * placed and written in the shop's time zone and the page's language (not the browser's), like every other time on
 * /manage; a point with no neighbours is drawn as a dot, so a single busy minute is visible.
 */
export function TimeChart({
  label,
  times,
  series,
  unit,
  height = 220,
  locale,
  timeZone,
  timeLabel,
}: {
  label: string;
  locale: string;
  timeZone: string;
  /** The legend's name for the x value ("時刻"). */
  timeLabel: string;
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: ChartSeries[];
  unit?: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let chart: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    import("uplot")
      .then(({ default: UPlot }) => {
        if (cancelled) return;
        const spanSeconds = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
        const tick = new Intl.DateTimeFormat(locale, {
          timeZone,
          ...(spanSeconds > 86_400
            ? { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }
            : { hour: "2-digit", minute: "2-digit" }),
        });
        const full = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" });
        const opts: uPlot.Options = {
          width: Math.max(el.clientWidth, 240),
          height,
          // Tick positions on the shop's hours and days, not the browser's.
          tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), timeZone),
          series: [
            {
              label: timeLabel,
              value: (_: uPlot, v: number | null) => (v === null ? "—" : full.format(new Date(v * 1000))),
            },
            ...series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              spanGaps: false,
              points: { show: true, size: isolatedPoints(s.values) ? 6 : 0 },
              value: (_: uPlot, v: number | null) => (v === null ? "—" : `${Math.round(v * 10) / 10}${unit ?? ""}`),
            })),
          ],
          axes: [
            { values: (_: uPlot, ticks: number[]) => ticks.map((t) => tick.format(new Date(t * 1000))) },
            { size: 56, values: (_: uPlot, ticks: number[]) => ticks.map((v) => `${v}${unit ?? ""}`) },
          ],
          scales: { y: { range: (_: uPlot, min: number, max: number) => [0, Math.max(max, 1) * 1.1] } },
        };
        chart = new UPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
        observer = new ResizeObserver(() => chart?.setSize({ width: Math.max(el.clientWidth, 240), height }));
        observer.observe(el);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [times, series, unit, height, locale, timeZone, timeLabel]);

  return (
    <figure className="min-w-0">
      <figcaption className="mb-2 text-sm font-semibold text-stone-800">{label}</figcaption>
      {failed ? (
        <p role="alert" className="text-sm text-red-700">
          {label}: —
        </p>
      ) : (
        <div ref={box} role="img" aria-label={label} className="w-full" style={{ minHeight: height }} />
      )}
    </figure>
  );
}

/** True when some value stands alone between gaps: a line cannot show it, a dot can. */
function isolatedPoints(values: (number | null)[]): boolean {
  return values.some((v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null);
}
