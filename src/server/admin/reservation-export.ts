import "server-only";
import { clock } from "@/lib/clock";
import type { Locale } from "@/lib/locale";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import type { AuthContext } from "@/server/auth/guard";
import { asUser } from "@/server/db";
import { csvHeader, csvRow, localTimestamp } from "./reservation-csv";
import { filterSql, selectRows, SORTS, withoutJit } from "./reservation-filters";
import type { ReservationFilter } from "./reservation-query";
import { countRows, toAdminRow } from "./reservations";

/** Rows per read: big enough that a 100k export is 100 short statements, small enough to hold in memory. */
export const EXPORT_BATCH = 1000;

export type ExportInput = {
  auth: AuthContext;
  actor: Actor;
  requestId?: string;
  filter: ReservationFilter;
  locale: Locale;
  timeZone: string;
};

/**
 * GET /api/admin/reservations/export: every reservation the list's filters match, in the list's sort, as a streamed
 * CSV download (reservation-csv.ts has the format).
 *
 * The audit row (`reservations.exported`, with the filters and the number of matching rows) is written before the
 * first byte, as the signed-in staff member under RLS (the audit policy lets staff append rows naming themselves):
 * an export changes nothing, so there is no state change to share a transaction with, and writing it first means a
 * download that is cut off is still on record. The count is taken in the same transaction as the audit row.
 *
 * The rows are read in keyset batches of EXPORT_BATCH, each in its own short asUser transaction as the client pulls,
 * so no transaction or connection is held while a slow client downloads, and memory stays at one batch. A row whose
 * sort key changes during a long export (a reschedule under the start-time sort) can appear twice or not at all;
 * the default sort (booking time) never changes.
 */
export async function exportReservationsCsv(input: ExportInput): Promise<Response> {
  const { auth, filter, locale, timeZone } = input;
  const sort = SORTS[filter.sort];
  const { where, needsSlot } = filterSql(filter);

  await asUser(auth.claims, async (tx) => {
    await withoutJit(tx);
    const rowCount = await countRows(tx, needsSlot, where);
    await writeAudit(tx, {
      actor: input.actor,
      action: "reservations.exported",
      entityType: "reservations",
      entityId: "list",
      after: { format: "csv", filters: describeFilter(filter), rowCount },
      requestId: input.requestId,
    });
  });

  const encoder = new TextEncoder();
  let cursor: [string, string] | null = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvHeader(locale, timeZone)));
    },
    async pull(controller) {
      try {
        const keyset = cursor ? [sort.after(cursor)] : [];
        const batch = await asUser(auth.claims, async (tx) => {
          await withoutJit(tx);
          return selectRows(tx, sort.keys)
            .where(filterSql(filter, keyset).where)
            .orderBy(sort.order)
            .limit(EXPORT_BATCH);
        });
        if (batch.length > 0)
          controller.enqueue(encoder.encode(batch.map((r) => csvRow(toAdminRow(r), locale, timeZone)).join("")));
        const last = batch.at(-1);
        if (!last || batch.length < EXPORT_BATCH) controller.close();
        else cursor = [last.k1, last.k2];
      } catch (error) {
        // The headers are gone already; the client sees a cut-off download, the log says why.
        logger.error(
          { err: error, event: "reservations.export_failed", requestId: input.requestId },
          "reservation export failed",
        );
        controller.error(error);
      }
    },
  });

  const stamp = localTimestamp(clock.now().toISOString(), timeZone).replace(/[-:]/g, "").replace(" ", "-");
  return new Response(stream, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="reservations-${stamp}.csv"`,
    },
  });
}

/** The filters as the audit row keeps them (instants as ISO strings, absent ones left out). */
function describeFilter(filter: ReservationFilter): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
}
