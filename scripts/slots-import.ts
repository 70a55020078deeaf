/**
 * `npm run slots:import -- file.csv [--dry-run]`: validates every row of a slots CSV (service,date,time,capacity)
 * and imports all of them or none. --dry-run prints the preview without writing. Exit code 1 when any row is invalid.
 */
import { readFileSync } from "node:fs";
import { getDatabaseForScript } from "./script-db";

const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
const dryRun = process.argv.includes("--dry-run");
if (!file) {
  console.error("usage: npm run slots:import -- slots.csv [--dry-run]");
  process.exit(2);
}
const csv = readFileSync(file, "utf8");
const handle = await getDatabaseForScript();
try {
  const { importSlotsCsv } = await import("../src/server/booking/slot-import");
  const report = await importSlotsCsv(csv, { dryRun, actor: { kind: "system", name: "slots:import" } });
  for (const row of report.rows)
    console.log(`  line ${row.line}: ${row.service} ${row.startsAt} capacity ${row.capacity}`);
  for (const e of report.errors) console.error(`  line ${e.line}: ${e.field} ${e.message}`);
  if (!report.ok) {
    console.error(`${report.errors.length} error(s): nothing imported`);
    process.exitCode = 1;
  } else if (report.dryRun) console.log(`dry run: ${report.rows.length} slot(s) would be created`);
  else console.log(`${report.created} slot(s) imported`);
} finally {
  await handle.close();
}
