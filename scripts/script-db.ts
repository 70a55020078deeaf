import { loadConfig } from "../src/lib/env";
import { openDatabase, type DatabaseHandle } from "../src/server/db/client";
import { setDatabaseForTests } from "../src/server/db/index";

/** Opens the configured database for a CLI script and makes it the handle the domain functions use. */
export async function getDatabaseForScript(): Promise<DatabaseHandle> {
  const { env } = loadConfig(process.env);
  const handle = env.DATABASE_URL
    ? await openDatabase({ kind: "postgres", url: env.DATABASE_URL, poolMax: 2 })
    : await openDatabase({ kind: "pglite", dataDir: env.PGLITE_DIR });
  setDatabaseForTests(handle);
  return handle;
}
