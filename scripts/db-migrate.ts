/**
 * `npm run db:migrate`: applies pending SQL migrations to DATABASE_URL (or the embedded PGlite database).
 * Production runs this as a release step; development also migrates at startup.
 */
import { loadConfig } from "../src/lib/env";
import { openDatabase } from "../src/server/db/client";
import { migrationStatus, runMigrations } from "../src/server/db/migrate";

const { env } = loadConfig(process.env);
const handle = env.DATABASE_URL
  ? await openDatabase({ kind: "postgres", url: env.DATABASE_URL, poolMax: 2 })
  : await openDatabase({ kind: "pglite", dataDir: env.PGLITE_DIR });
try {
  const before = await migrationStatus(handle.db);
  await runMigrations(handle);
  const after = await migrationStatus(handle.db);
  console.log(
    `${handle.kind}: applied ${after.applied - before.applied} migration(s); ${after.applied}/${after.total} applied, latest ${after.latest}`,
  );
} finally {
  await handle.close();
}
