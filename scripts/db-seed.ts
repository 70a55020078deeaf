/**
 * `npm run db:seed`: adds the demo services, 14 days of slots and the admin/staff accounts. Services and accounts
 * that already exist are left as they are; a new account's password comes from SEED_*_PASSWORD or is generated and
 * printed here once.
 */
import { loadConfig } from "../src/lib/env";
import { openDatabase } from "../src/server/db/client";
import { migrationStatus } from "../src/server/db/migrate";
import { seedDatabase } from "../src/server/db/seed";
import { printSeedAccounts } from "../src/server/db/seed-console";

const { env } = loadConfig(process.env);
const handle = env.DATABASE_URL
  ? await openDatabase({ kind: "postgres", url: env.DATABASE_URL, poolMax: 2 })
  : await openDatabase({ kind: "pglite", dataDir: env.PGLITE_DIR });
try {
  const status = await migrationStatus(handle.db);
  if (status.pending > 0) {
    console.error(`${status.pending} migration(s) pending: run \`npm run db:migrate\` first.`);
    process.exitCode = 1;
  } else {
    const result = await seedDatabase(handle.db, {
      now: new Date(),
      timeZone: env.BUSINESS_TIMEZONE,
      currency: env.DEFAULT_CURRENCY,
      accounts: {
        admin: { email: env.SEED_ADMIN_EMAIL, password: env.SEED_ADMIN_PASSWORD },
        staff: { email: env.SEED_STAFF_EMAIL, password: env.SEED_STAFF_PASSWORD },
      },
    });
    console.log(`${handle.kind}: ${result.services} new service(s), ${result.slots} slot(s) added`);
    printSeedAccounts(result.accounts, env.DATA_DIR);
  }
} finally {
  await handle.close();
}
