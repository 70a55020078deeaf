import "server-only";
import { createHash } from "node:crypto";
import { and, gte, inArray, lte } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { isSaneYear } from "@/lib/date-input";
import { textProblem } from "@/lib/text";
import { zonedInstant } from "@/lib/time";
import { auditValues, writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { auditLog, services, slots } from "@/server/db/schema";

/**
 * CSV import of slots: `service,date,time,capacity` (service slug, YYYY-MM-DD and HH:MM in the business time zone,
 * capacity optional = the service default). Every row is validated first; the import is all-or-nothing and reports
 * errors per line; `dryRun` returns the same preview without writing.
 */
export type ImportRow = { line: number; service: string; startsAt: string; endsAt: string; capacity: number };
/** `code` says which check failed (the staff screen words it per language); `message` is the English wording. */
export type ImportErrorCode =
  | "unknown_service"
  | "inactive_service"
  | "bad_date"
  | "bad_time"
  | "bad_capacity"
  | "in_past"
  | "duplicate_line"
  | "slot_exists"
  | "no_rows"
  | "control_characters";
export type ImportError = {
  line: number;
  field: string;
  code: ImportErrorCode;
  message: string;
  value?: string;
  duplicateOf?: number;
};
export type ImportReport = { ok: boolean; dryRun: boolean; created: number; rows: ImportRow[]; errors: ImportError[] };

/**
 * The staff screen's report: rows whose slot already exists are `skipped` (not errors), and `digest` fingerprints the
 * rows to create, so a commit can insist on creating exactly what its preview showed.
 */
export type SlotImportReport = ImportReport & { skipped: ImportRow[]; digest: string };

export const MAX_IMPORT_ROWS = 5000;
const CSV_FIELDS = ["service", "date", "time", "capacity"];
const AUDIT_BATCH = 1000;

type ImportOptions = {
  dryRun: boolean;
  actor: Actor;
  reason?: string;
  requestId?: string;
  /** Existing slots at a row's time: skip the row (true) or report it as an error (false, the script's behaviour). */
  skipExisting: boolean;
  /** The preview's digest: the commit aborts with 409 when the rows to create differ from what was previewed. */
  expectedDigest?: string;
};

/** The script's import (`npm run slots:import`): an existing slot at a row's time is an error. */
export async function importSlotsCsv(
  csv: string,
  options: { dryRun: boolean; actor: Actor; reason?: string; requestId?: string },
): Promise<ImportReport> {
  const { ok, dryRun, created, rows, errors } = await importSlots(csv, { ...options, skipExisting: false });
  return { ok, dryRun, created, rows, errors };
}

export async function importSlots(csv: string, options: ImportOptions): Promise<SlotImportReport> {
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const now = clock.now();
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim().toLowerCase());
  if (header.slice(0, 3).join(",") !== "service,date,time") {
    throw new AppError("validation_failed", `The first line must be the header: ${CSV_FIELDS.join(",")}`);
  }
  const records = lines
    .slice(1)
    .map((text, i) => ({ line: i + 2, cells: splitCsvLine(text) }))
    .filter((r) => r.cells.some((c) => c.trim() !== ""));
  if (records.length > MAX_IMPORT_ROWS)
    throw new AppError("payload_too_large", `Import at most ${MAX_IMPORT_ROWS} rows at a time.`);

  return asService(async (tx) => {
    // A cell with NUL, another control character or an unpaired surrogate is that row's error, and never reaches a
    // query (PostgreSQL refuses NUL in text).
    const slugs = [
      ...new Set(
        records.map((r) => (r.cells[0] ?? "").trim()).filter((slug) => slug && !textProblem(slug, { multiline: true })),
      ),
    ];
    const known = slugs.length ? await tx.select().from(services).where(inArray(services.slug, slugs)) : [];
    const bySlug = new Map(known.map((s) => [s.slug, s]));
    const candidates: { row: ImportRow; value: typeof slots.$inferInsert & { startsAt: Date } }[] = [];
    const errors: ImportError[] = [];
    const seen = new Map<string, number>();

    for (const { line, cells } of records) {
      const badCell = cells.findIndex((c) => textProblem(c, { multiline: true }) !== null);
      if (badCell >= 0) {
        const message = textProblem(cells[badCell] ?? "", { multiline: true }) ?? "";
        errors.push({ line, field: CSV_FIELDS[badCell] ?? "file", code: "control_characters", message });
        continue;
      }
      const [slug = "", date = "", time = "", capacityText = ""] = cells.map((c) => c.trim());
      const service = bySlug.get(slug);
      const rowErrors: ImportError[] = [];
      if (!service)
        rowErrors.push({
          line,
          field: "service",
          code: "unknown_service",
          message: `unknown service "${slug}"`,
          value: slug,
        });
      else if (!service.active)
        rowErrors.push({
          line,
          field: "service",
          code: "inactive_service",
          message: `service "${slug}" is inactive`,
          value: slug,
        });
      const dateMatch = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
      const validDate =
        dateMatch &&
        isSaneYear(Number(dateMatch[1])) &&
        isRealDate(Number(dateMatch[1]), Number(dateMatch[2]), Number(dateMatch[3]));
      if (!validDate) rowErrors.push({ line, field: "date", code: "bad_date", message: "must be a date YYYY-MM-DD" });
      const timeMatch = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
      if (!timeMatch) rowErrors.push({ line, field: "time", code: "bad_time", message: "must be a time HH:MM (24 h)" });
      const capacity = capacityText === "" ? service?.defaultCapacity : Number(capacityText);
      if (capacity === undefined || !Number.isInteger(capacity) || capacity < 1 || capacity > 10_000) {
        if (service || capacityText !== "")
          rowErrors.push({ line, field: "capacity", code: "bad_capacity", message: "must be a whole number 1–10000" });
      }
      if (rowErrors.length === 0 && service && dateMatch && timeMatch && capacity !== undefined) {
        const startsAt = zonedInstant(
          { year: Number(dateMatch[1]), month: Number(dateMatch[2]), day: Number(dateMatch[3]) },
          Number(timeMatch[1]),
          Number(timeMatch[2]),
          timeZone,
        );
        const key = slotKey(service.id, startsAt);
        if (startsAt <= now) rowErrors.push({ line, field: "date", code: "in_past", message: "is in the past" });
        else if (seen.has(key))
          rowErrors.push({
            line,
            field: "time",
            code: "duplicate_line",
            message: `duplicates line ${seen.get(key)}`,
            duplicateOf: seen.get(key),
          });
        else {
          seen.set(key, line);
          const endsAt = new Date(startsAt.getTime() + service.durationMinutes * 60_000);
          candidates.push({
            row: { line, service: slug, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), capacity },
            value: { serviceId: service.id, startsAt, endsAt, capacity },
          });
        }
      }
      errors.push(...rowErrors);
    }

    // One query for the slots that already exist at any of these times (not one per row: files have thousands).
    const existing = new Set<string>();
    if (candidates.length > 0) {
      const times = candidates.map((c) => c.value.startsAt.getTime());
      const found = await tx
        .select({ serviceId: slots.serviceId, startsAt: slots.startsAt })
        .from(slots)
        .where(
          and(
            inArray(slots.serviceId, [...new Set(candidates.map((c) => c.value.serviceId))]),
            gte(slots.startsAt, new Date(Math.min(...times))),
            lte(slots.startsAt, new Date(Math.max(...times))),
          ),
        );
      for (const f of found) existing.add(slotKey(f.serviceId, f.startsAt));
    }
    const toCreate: typeof candidates = [];
    const skipped: ImportRow[] = [];
    for (const c of candidates) {
      if (!existing.has(slotKey(c.value.serviceId, c.value.startsAt))) toCreate.push(c);
      else if (options.skipExisting) skipped.push(c.row);
      else
        errors.push({
          line: c.row.line,
          field: "time",
          code: "slot_exists",
          message: "a slot already exists at this time",
        });
    }
    errors.sort((a, b) => a.line - b.line);
    if (records.length === 0) errors.push({ line: 1, field: "file", code: "no_rows", message: "no rows to import" });
    const rows = toCreate.map((c) => c.row);
    const digest = digestOf(rows);
    const report = { dryRun: options.dryRun, created: 0, rows, skipped, digest };
    if (errors.length > 0 || options.dryRun) return { ...report, ok: errors.length === 0, errors };

    if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
      throw new AppError(
        "conflict",
        "The file or the slots changed since the preview; nothing was imported. Preview it again.",
      );
    }
    if (toCreate.length === 0) return { ...report, ok: true, errors: [] };
    const inserted = await tx
      .insert(slots)
      .values(toCreate.map((c) => c.value))
      .onConflictDoNothing({ target: [slots.serviceId, slots.startsAt] })
      .returning({ id: slots.id, startsAt: slots.startsAt, capacity: slots.capacity });
    if (inserted.length !== toCreate.length) {
      // A slot was created at one of these times while the file was being checked: roll everything back.
      throw new AppError(
        "conflict",
        "Slots were added at some of these times meanwhile; nothing was imported. Run the import again.",
      );
    }
    const importId = crypto.randomUUID();
    await writeAudit(tx, {
      actor: options.actor,
      action: "slot.imported",
      entityType: "slot_import",
      entityId: importId,
      after: { created: inserted.length, skipped: skipped.length, digest },
      reason: options.reason,
      requestId: options.requestId,
    });
    // One row per slot as well, so each slot's own history says where it came from. Batched to stay well under
    // PostgreSQL's 65,535 bind parameters per statement at the 5,000-row limit.
    const perSlot = inserted.map((s) =>
      auditValues({
        actor: options.actor,
        action: "slot.created",
        entityType: "slot",
        entityId: s.id,
        after: { startsAt: s.startsAt.toISOString(), capacity: s.capacity, importId },
        reason: options.reason,
        requestId: options.requestId,
      }),
    );
    for (let i = 0; i < perSlot.length; i += AUDIT_BATCH)
      await tx.insert(auditLog).values(perSlot.slice(i, i + AUDIT_BATCH));
    return { ...report, ok: true, created: inserted.length, errors: [] };
  });
}

function slotKey(serviceId: string, startsAt: Date): string {
  return `${serviceId}@${startsAt.toISOString()}`;
}

function digestOf(rows: ImportRow[]): string {
  const canonical = rows.map((r) => [r.service, r.startsAt, r.capacity]);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** One CSV line: commas separate, double quotes wrap a cell that contains commas ("" is a literal quote). */
export function splitCsvLine(text: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}
