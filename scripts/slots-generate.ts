/**
 * `npm run slots:generate -- [--days N]`: creates slots from the active weekly rules N days ahead (default 30).
 * Idempotent: running it twice adds nothing.
 */
import { getDatabaseForScript } from "./script-db";

const daysArg = process.argv.indexOf("--days");
const days = daysArg > 0 ? Number(process.argv[daysArg + 1]) : 30;
if (!Number.isInteger(days) || days < 1 || days > 366) {
  console.error("--days must be a whole number from 1 to 366");
  process.exit(2);
}
const handle = await getDatabaseForScript();
try {
  const { generateSlotsFromRules } = await import("../src/server/booking/slot-rules");
  const result = await generateSlotsFromRules({ days });
  console.log(
    `${result.created} slot(s) created from rules (${result.considered - result.created} already existed), ${days} days ahead`,
  );
} finally {
  await handle.close();
}
