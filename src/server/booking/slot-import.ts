import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { zonedInstant } from "@/lib/time";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { services, slots } from "@/server/db/schema";

/**
 * CSV import of slots: `service,date,time,capacity` (service slug, YYYY-MM-DD and HH:MM in the business time zone,
 * capacity optional = the service default). Every row is validated first; the import is all-or-nothing and reports
 * errors per line; `dryRun` returns the same preview without writing.
 */
export type ImportRow = { line: number; service: string; startsAt: string; endsAt: string; capacity: number };
export type ImportError = { line: number; field: string; message: string };
export type ImportReport = { ok: boolean; dryRun: boolean; created: number; rows: ImportRow[]; errors: ImportError[] };

const MAX_ROWS = 5000;

export async function importSlotsCsv(csv: string, options: { dryRun: boolean; actor: Actor; requestId?: string }): Promise<ImportReport> {
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const now = clock.now();
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim().toLowerCase());
  const expected = ["service", "date", "time", "capacity"];
  if (header.slice(0, 3).join(",") !== "service,date,time") {
    throw new AppError("validation_failed", `The first line must be the header: ${expected.join(",")}`);
  }
  const records = lines
    .slice(1)
    .map((text, i) => ({ line: i + 2, cells: splitCsvLine(text) }))
    .filter((r) => r.cells.some((c) => c.trim() !== ""));
  if (records.length > MAX_ROWS) throw new AppError("payload_too_large", `Import at most ${MAX_ROWS} rows at a time.`);

  return asService(async (tx) => {
    const slugs = [...new Set(records.map((r) => (r.cells[0] ?? "").trim()).filter(Boolean))];
    const known = slugs.length ? await tx.select().from(services).where(inArray(services.slug, slugs)) : [];
    const bySlug = new Map(known.map((s) => [s.slug, s]));
    const rows: ImportRow[] = [];
    const errors: ImportError[] = [];
    const seen = new Map<string, number>();
    const values: (typeof slots.$inferInsert)[] = [];

    for (const { line, cells } of records) {
      const [slug = "", date = "", time = "", capacityText = ""] = cells.map((c) => c.trim());
      const service = bySlug.get(slug);
      const rowErrors: ImportError[] = [];
      if (!service) rowErrors.push({ line, field: "service", message: `unknown service "${slug}"` });
      else if (!service.active) rowErrors.push({ line, field: "service", message: `service "${slug}" is inactive` });
      const dateMatch = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
      const validDate = dateMatch && isRealDate(Number(dateMatch[1]), Number(dateMatch[2]), Number(dateMatch[3]));
      if (!validDate) rowErrors.push({ line, field: "date", message: "must be a date YYYY-MM-DD" });
      const timeMatch = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
      if (!timeMatch) rowErrors.push({ line, field: "time", message: "must be a time HH:MM (24 h)" });
      const capacity = capacityText === "" ? service?.defaultCapacity : Number(capacityText);
      if (capacity === undefined || !Number.isInteger(capacity) || capacity < 1 || capacity > 10_000) {
        if (service || capacityText !== "") rowErrors.push({ line, field: "capacity", message: "must be a whole number 1–10000" });
      }
      if (rowErrors.length === 0 && service && dateMatch && timeMatch && capacity !== undefined) {
        const startsAt = zonedInstant(
          { year: Number(dateMatch[1]), month: Number(dateMatch[2]), day: Number(dateMatch[3]) },
          Number(timeMatch[1]),
          Number(timeMatch[2]),
          timeZone,
        );
        const key = `${service.id}@${startsAt.toISOString()}`;
        if (startsAt <= now) rowErrors.push({ line, field: "date", message: "is in the past" });
        else if (seen.has(key)) rowErrors.push({ line, field: "time", message: `duplicates line ${seen.get(key)}` });
        else {
          seen.set(key, line);
          const endsAt = new Date(startsAt.getTime() + service.durationMinutes * 60_000);
          rows.push({ line, service: slug, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), capacity });
          values.push({ serviceId: service.id, startsAt, endsAt, capacity });
        }
      }
      errors.push(...rowErrors);
    }

    for (const v of values) {
      const [existing] = await tx
        .select({ id: slots.id })
        .from(slots)
        .where(and(eq(slots.serviceId, v.serviceId), eq(slots.startsAt, v.startsAt)));
      if (existing) {
        const row = rows[values.indexOf(v)];
        errors.push({ line: row?.line ?? 0, field: "time", message: "a slot already exists at this time" });
      }
    }
    errors.sort((a, b) => a.line - b.line);
    if (records.length === 0) errors.push({ line: 1, field: "file", message: "no rows to import" });
    if (errors.length > 0 || options.dryRun) return { ok: errors.length === 0, dryRun: options.dryRun, created: 0, rows, errors };

    const inserted = await tx
      .insert(slots)
      .values(values)
      .onConflictDoNothing({ target: [slots.serviceId, slots.startsAt] })
      .returning({ id: slots.id });
    if (inserted.length !== values.length) {
      // A slot was created at one of these times while the file was being checked: roll everything back.
      throw new AppError("conflict", "Slots were added at some of these times meanwhile; nothing was imported. Run the import again.");
    }
    await writeAudit(tx, {
      actor: options.actor,
      action: "slot.imported",
      entityType: "slot_import",
      entityId: inserted[0]?.id ?? "empty",
      after: { created: inserted.length },
      requestId: options.requestId,
    });
    return { ok: true, dryRun: false, created: inserted.length, rows, errors: [] };
  });
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
