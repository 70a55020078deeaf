import { useTranslations } from "next-intl";

/**
 * An audit row's before/after as the keys that changed, one line each ("status: held → confirmed"); values that are
 * the same on both sides are left out, nested values are shown as compact JSON, long values are cut.
 */
export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const t = useTranslations("manageOps.audit");
  const rows = diffRows(before, after);
  if (rows.length === 0) return <span className="text-stone-400">{t("noChange")}</span>;
  return (
    <ul className="space-y-0.5 font-mono text-xs">
      {rows.map(({ key, from, to }) => (
        <li key={key} className="break-words">
          <span className="text-stone-500">{key}:</span>{" "}
          {from !== undefined ? <del className="text-red-800 decoration-red-300">{from}</del> : null}
          {from !== undefined && to !== undefined ? " → " : null}
          {to !== undefined ? <ins className="text-emerald-800 no-underline">{to}</ins> : null}
        </li>
      ))}
    </ul>
  );
}

type Row = { key: string; from?: string; to?: string };

export function diffRows(before: unknown, after: unknown): Row[] {
  const b = asRecord(before);
  const a = asRecord(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.flatMap((key) => {
    const from = key in b ? show(b[key]) : undefined;
    const to = key in a ? show(a[key]) : undefined;
    return from === to ? [] : [{ key, from, to }];
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  return { value };
}

function show(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
