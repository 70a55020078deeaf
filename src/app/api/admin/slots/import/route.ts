import { AppError } from "@/lib/errors";
import { reply } from "@/server/http/route";
import { adminRoute } from "@/server/admin/http";
import { importBody, MAX_IMPORT_BYTES } from "@/lib/schemas/admin-slots";
import { importSlots } from "@/server/booking/slot-import";

export const dynamic = "force-dynamic";

/**
 * CSV import (`service,date,time,capacity`). `dryRun: true` answers the preview (rows to create, rows skipped because
 * the slot exists, errors by line) and writes nothing; `dryRun: false` with the preview's `digest` creates exactly
 * those rows in one transaction with audit rows, or nothing (422 with the errors by line, 409 if things changed).
 */
export const POST = adminRoute(
  // The JSON envelope and escaping add a little to the CSV itself.
  { route: "/api/admin/slots/import", body: importBody, maxBodyBytes: MAX_IMPORT_BYTES + 65_536 },
  async ({ body, actor, requestId }) => {
    const report = await importSlots(body.csv, {
      dryRun: body.dryRun,
      skipExisting: true,
      expectedDigest: body.digest,
      actor,
      reason: body.reason,
      requestId,
    });
    if (body.dryRun) return report;
    if (!report.ok) {
      throw new AppError("validation_failed", `${report.errors.length} row(s) have errors; nothing was imported.`, {
        errors: report.errors.map((e) => ({ path: `csv.line${e.line}.${e.field}`, message: e.message })),
      });
    }
    return reply(201, report);
  },
);
