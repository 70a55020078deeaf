import postgres from "postgres";

/**
 * Database administration on the PostgreSQL server behind TEST_DATABASE_URL: test databases are created from a
 * migrated template (CREATE DATABASE … TEMPLATE …) and dropped afterwards. Names are generated here only, from
 * [a-z0-9_], so quoting them as identifiers is safe.
 */
export const TEST_DATABASE_PREFIX = "slotbook_test_";

export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** The same server and credentials as `baseUrl`, another database. */
export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function uniqueDatabaseName(label: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${TEST_DATABASE_PREFIX}${Date.now().toString(36)}_${label}_${random}`.toLowerCase();
}

function assertSafeName(name: string): string {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`unsafe test database name: ${name}`);
  return name;
}

export async function withAdmin<T>(adminUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** CREATE DATABASE, optionally as a copy of a template; retried while another session still holds the template. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const statement = template
    ? `CREATE DATABASE "${assertSafeName(name)}" TEMPLATE "${assertSafeName(template)}"`
    : `CREATE DATABASE "${assertSafeName(name)}"`;
  await withAdmin(adminUrl, async (sql) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sql.unsafe(statement);
        return;
      } catch (error) {
        // 55006 object_in_use: "source database is being accessed by other users".
        if ((error as { code?: string }).code !== "55006" || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${assertSafeName(name)}" WITH (FORCE)`));
}

/** Drops test databases that crashed runs left behind (older than `olderThanMs`, judged by the name's timestamp). */
export async function dropStaleDatabases(adminUrl: string, olderThanMs: number): Promise<string[]> {
  return withAdmin(adminUrl, async (sql) => {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${TEST_DATABASE_PREFIX + "%"}`;
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const stamp = datname.slice(TEST_DATABASE_PREFIX.length).split("_")[0] ?? "";
      const createdAt = parseInt(stamp, 36);
      if (!Number.isFinite(createdAt) || Date.now() - createdAt < olderThanMs) continue;
      await sql.unsafe(`DROP DATABASE IF EXISTS "${assertSafeName(datname)}" WITH (FORCE)`);
      dropped.push(datname);
    }
    return dropped;
  });
}
