/**
 * `npm run trace -- <request id>`: runs scripts/trace.sql (docs/tracing.md) against the configured database and
 * prints the audit, outbox and inbox rows of the reservations that id touched, then the log search for every request
 * id among them. The embedded database is locked while the app runs: stop `npm run dev` first, or run psql against
 * PostgreSQL (`psql "$DATABASE_URL" -v id=<id> -f scripts/trace.sql`).
 */
import { queryRows } from "../src/server/db/client";
import { getDatabaseForScript } from "./script-db";
import { traceQuery, type TraceRow } from "./trace-query";

const [id] = process.argv.slice(2);
if (!id) {
  console.error("usage: npm run trace -- <request id>");
  process.exit(2);
}

const handle = await getDatabaseForScript();
try {
  const rows = await queryRows<TraceRow>(handle.db, traceQuery(id));
  if (rows.length === 0) console.log(`Nothing in the database carries ${id}.`);
  for (const row of rows) {
    const at = row.at instanceof Date ? row.at.toISOString() : row.at;
    console.log([at, row.source.padEnd(6), row.request_id ?? "-", row.what, row.subject, row.detail ?? ""].join("  "));
  }
  const ids = [...new Set([id, ...rows.map((r) => r.request_id).filter((r): r is string => Boolean(r))])];
  console.log(`\nLog lines: grep -E '"requestId":"(${ids.join("|")})"' <server log>`);
} finally {
  await handle.close();
}
