"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { formatDateTime, formatTime } from "@/lib/format-datetime";
import type { ImportError, ImportRow, SlotImportReport } from "@/server/booking/slot-import";

/** Rows drawn per table; a 5,000-row file would make the page sluggish, and the counts above are exact anyway. */
const SHOWN = 300;
const KNOWN_CODES = [
  "unknown_service",
  "inactive_service",
  "bad_date",
  "bad_time",
  "bad_capacity",
  "in_past",
  "duplicate_line",
  "slot_exists",
  "no_rows",
  "control_characters",
];

/** The dry run's answer as three tables: rows to create, rows skipped (the slot exists), rows with errors. */
export function ImportPreview({
  report,
  locale,
  timeZone,
}: {
  report: SlotImportReport;
  locale: string;
  timeZone: string;
}) {
  const t = useTranslations("manageSlots.import");
  const errorText = (e: ImportError) =>
    KNOWN_CODES.includes(e.code)
      ? t(`errorCodes.${e.code}`, { line: e.duplicateOf ?? 0, value: e.value ?? "" })
      : e.message;
  return (
    <div className="space-y-6">
      <ul className="flex flex-wrap gap-2 text-sm" aria-label={t("summaryLabel")}>
        <li className="rounded-full bg-emerald-100 px-3 py-1 font-semibold text-emerald-900">
          {t("toCreate", { count: report.rows.length })}
        </li>
        <li className="rounded-full bg-stone-200 px-3 py-1 font-semibold text-stone-800">
          {t("toSkip", { count: report.skipped.length })}
        </li>
        <li className="rounded-full bg-red-100 px-3 py-1 font-semibold text-red-900">
          {t("withErrors", { count: report.errors.length })}
        </li>
      </ul>
      {report.errors.length > 0 ? (
        <PreviewTable
          caption={t("errorsCaption")}
          headers={[t("columns.line"), t("columns.field"), t("columns.problem")]}
          tone="error"
        >
          {report.errors.map((e, i) => (
            <tr key={`${e.line}-${e.field}-${i}`} className="border-t border-red-100">
              <td className="px-3 py-2 tabular-nums">{e.line}</td>
              <td className="px-3 py-2">{t(`fields.${e.field}`)}</td>
              <td className="px-3 py-2">{errorText(e)}</td>
            </tr>
          ))}
        </PreviewTable>
      ) : null}
      <RowsTable caption={t("rowsCaption")} rows={report.rows} locale={locale} timeZone={timeZone} />
      <RowsTable caption={t("skippedCaption")} rows={report.skipped} locale={locale} timeZone={timeZone} />
    </div>
  );
}

/** Rows to create or rows skipped: line, service, start, end and capacity (nothing when there are none). */
function RowsTable({
  caption,
  rows,
  locale,
  timeZone,
}: {
  caption: string;
  rows: ImportRow[];
  locale: string;
  timeZone: string;
}) {
  const t = useTranslations("manageSlots.import");
  if (rows.length === 0) return null;
  return (
    <PreviewTable
      caption={caption}
      more={rows.length - SHOWN}
      headers={[t("columns.line"), t("columns.service"), t("columns.start"), t("columns.end"), t("columns.capacity")]}
    >
      {rows.slice(0, SHOWN).map((row) => (
        <tr key={row.line} className="border-t border-stone-100">
          <td className="px-3 py-2 tabular-nums">{row.line}</td>
          <td className="px-3 py-2">{row.service}</td>
          <td className="px-3 py-2">{formatDateTime(row.startsAt, locale, timeZone)}</td>
          <td className="px-3 py-2">{formatTime(row.endsAt, locale, timeZone)}</td>
          <td className="px-3 py-2 tabular-nums">{row.capacity}</td>
        </tr>
      ))}
    </PreviewTable>
  );
}

function PreviewTable({
  caption,
  headers,
  tone,
  more = 0,
  children,
}: {
  caption: string;
  headers: string[];
  tone?: "error";
  more?: number;
  children: ReactNode;
}) {
  const t = useTranslations("manageSlots.import");
  return (
    <div
      className={`max-h-96 overflow-auto rounded-xl border bg-white ${tone === "error" ? "border-red-200" : "border-stone-200"}`}
    >
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="px-3 py-2 text-left font-semibold text-stone-900">{caption}</caption>
        <thead className="sticky top-0 bg-stone-50 text-xs text-stone-600">
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-semibold">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {more > 0 ? <p className="px-3 py-2 text-xs text-stone-600">{t("more", { count: more })}</p> : null}
    </div>
  );
}
