"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Problem } from "@/components/booking/api-client";
import { inputClasses } from "@/components/booking/form-field";
import { Notice } from "@/components/booking/notice";
import { Button } from "@/components/ui/button";
import { dayKey } from "@/lib/format-datetime";
import { MAX_IMPORT_BYTES } from "@/lib/schemas/admin-slots";
import type { SlotImportReport } from "@/server/booking/slot-import";
import { ImportPreview } from "./import-preview";
import { ReasonConfirm } from "@/components/manage/reason-confirm";
import { sendJson } from "@/components/booking/api-client";
import { SlotProblemAlert } from "./slot-problem-alert";

const HEADER = /^\uFEFF?\s*"?service"?\s*,\s*"?date"?\s*,\s*"?time"?/i;

/**
 * Paste or upload a CSV → preview (a dry run: nothing is written) → confirm with a reason → import. The commit sends
 * the preview's digest, so it creates exactly the previewed rows or, if anything changed meanwhile, nothing (409).
 */
export function ImportForm({ locale, timeZone }: { locale: string; timeZone: string }) {
  const t = useTranslations("manageSlots.import");
  const router = useRouter();
  const [csv, setCsv] = useState("");
  const [inputError, setInputError] = useState<string>();
  const [preview, setPreview] = useState<SlotImportReport | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<SlotImportReport | null>(null);

  const reset = () => {
    setPreview(null);
    setConfirming(false);
    setProblem(null);
  };
  const loadFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      setInputError(t("tooLarge"));
      return;
    }
    setInputError(undefined);
    setCsv(await file.text());
    reset();
  };
  const runPreview = async () => {
    setDone(null);
    reset();
    if (!HEADER.test(csv)) {
      setInputError(t("headerMissing"));
      return;
    }
    setInputError(undefined);
    setBusy(true);
    const result = await sendJson<SlotImportReport>("POST", "/api/admin/slots/import", { csv, dryRun: true });
    setBusy(false);
    if (!result.ok) setProblem(result.problem);
    else setPreview(result.data);
  };
  const commit = async (reason: string) => {
    if (!preview) return;
    setBusy(true);
    setProblem(null);
    const result = await sendJson<SlotImportReport>("POST", "/api/admin/slots/import", {
      csv,
      dryRun: false,
      digest: preview.digest,
      reason,
    });
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      // The preview no longer describes what would happen: make the operator look again.
      if (result.problem.code === "conflict") setPreview(null);
      return;
    }
    setDone(result.data);
    setCsv("");
    reset();
    router.refresh();
  };

  const alert = <SlotProblemAlert problem={problem} subject="import" />;
  const firstWeek = done?.rows[0] ? dayKey(done.rows[0].startsAt, timeZone) : undefined;
  return (
    <div className="space-y-5">
      {done ? (
        <Notice tone="success" role="status" data-testid="import-done">
          <p>{t("done", { created: done.created, skipped: done.skipped.length })}</p>
          {firstWeek ? (
            <Link href={`/manage/slots?week=${firstWeek}`} className="mt-2 inline-block font-semibold underline">
              {t("openCalendar")}
            </Link>
          ) : null}
        </Notice>
      ) : null}
      <div>
        <label htmlFor="import-csv" className="block text-sm font-semibold text-stone-900">
          {t("csvLabel")}
        </label>
        <p id="import-csv-hint" className="mt-1 text-xs text-stone-600">
          {t("csvHint")}
        </p>
        <textarea
          id="import-csv"
          value={csv}
          onChange={(e) => {
            setCsv(e.target.value);
            if (preview) reset();
          }}
          rows={10}
          spellCheck={false}
          aria-invalid={inputError ? true : undefined}
          aria-describedby={`import-csv-hint${inputError ? " import-csv-error" : ""}`}
          className={`${inputClasses} mt-2 font-mono text-sm`}
          placeholder={"service,date,time,capacity\n"}
        />
        {inputError ? (
          <p id="import-csv-error" className="mt-1.5 text-sm font-medium text-red-700">
            {inputError}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor="import-file" className="block text-sm font-semibold text-stone-900">
          {t("fileLabel")}
        </label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => void loadFile(e.target.files?.[0])}
          className="mt-2 block min-h-11 text-sm file:mr-3 file:min-h-11 file:rounded-lg file:border-0 file:bg-stone-200 file:px-4 file:font-semibold"
        />
      </div>
      {!confirming ? (
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="secondary" onClick={runPreview} disabled={busy || csv.trim() === ""}>
            {busy ? t("checking") : t("previewButton")}
          </Button>
          {preview?.ok && preview.rows.length > 0 ? (
            <Button type="button" onClick={() => setConfirming(true)}>
              {t("importButton", { count: preview.rows.length })}
            </Button>
          ) : null}
        </div>
      ) : null}
      {!confirming ? alert : null}
      {preview && !preview.ok ? <Notice tone="warning">{t("fixErrors")}</Notice> : null}
      {preview?.ok && preview.rows.length === 0 ? <Notice>{t("nothingNew")}</Notice> : null}
      {confirming && preview ? (
        <ReasonConfirm
          title={t("confirmTitle")}
          confirmLabel={t("confirmButton", { count: preview.rows.length })}
          busy={busy}
          problem={alert}
          onConfirm={commit}
          onBack={() => setConfirming(false)}
        >
          <p>{t("confirmSummary", { count: preview.rows.length, skipped: preview.skipped.length })}</p>
        </ReasonConfirm>
      ) : null}
      {preview ? (
        <section aria-label={t("previewLabel")}>
          <ImportPreview report={preview} locale={locale} timeZone={timeZone} />
        </section>
      ) : null}
    </div>
  );
}
