import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, inject } from "vitest";
// Aliased: the `use` prefix would make the React hooks lint rule treat it as a hook.
import { setDatabaseForTests as injectDatabase } from "@/server/db";
import { openDatabase, type DatabaseHandle, type Db, type DbKind } from "@/server/db/client";
import { setEnv } from "./env";
import { createDatabase, databaseUrl, dropDatabase, uniqueDatabaseName } from "./postgres-admin";

/**
 * A freshly migrated database per test file: PGlite always (an in-memory copy of the template built by
 * tests/setup/global-db.ts), and PostgreSQL too when TEST_DATABASE_URL is set (a clone of the template database).
 * In the pooler run (`npm run test:integration:pooler`) only PostgreSQL, reached through the transaction pooler.
 */
export type TestDatabase = { kind: DbKind; handle: DatabaseHandle; url?: string; dispose(): Promise<void> };

export function databaseKinds(): DbKind[] {
  const server = inject("postgres");
  if (server?.poolerUrl) return ["postgres"];
  return server ? ["pglite", "postgres"] : ["pglite"];
}

/** A new database of that kind: migrated (default) or empty, as before the first migration. */
export async function createTestDatabase(kind: DbKind, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  if (kind === "pglite") {
    const dump = readFileSync(inject(migrated ? "pgliteMigratedDump" : "pgliteEmptyDump"));
    const handle = await openDatabase({ kind: "pglite", loadDataDir: new Blob([dump]) });
    return { kind, handle, dispose: () => handle.close() };
  }
  const server = inject("postgres");
  if (!server) throw new Error("PostgreSQL tests need TEST_DATABASE_URL");
  const name = uniqueDatabaseName(migrated ? "file" : "empty");
  await createDatabase(server.adminUrl, name, migrated ? server.template : undefined);
  // Through the pooler when there is one: the same database name, PgBouncer passes any name through to the server.
  const url = databaseUrl(server.poolerUrl ?? server.adminUrl, name);
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 10 });
  return {
    kind,
    handle,
    url,
    dispose: async () => {
      await handle.close();
      await dropDatabase(server.adminUrl, name);
    },
  };
}

/** A PostgreSQL handle that can never connect (nothing listens on port 1): the database-down fault. */
export function openUnreachableDatabase(): Promise<DatabaseHandle> {
  return openDatabase({ kind: "postgres", url: "postgres://postgres@127.0.0.1:1/unreachable", poolMax: 1 });
}

export type DatabaseTestContext = {
  readonly kind: DbKind;
  /** The file's database; available from the suite's beforeAll on. */
  readonly handle: DatabaseHandle;
  readonly db: Db;
  /** Connection string (PostgreSQL only). */
  readonly url: string | undefined;
  /** Runs fn with another handle injected as the app's database, then puts this suite's handle back. */
  withDatabase<T>(other: DatabaseHandle, fn: () => Promise<T>): Promise<T>;
};

/**
 * Declares the suite once per database kind. Each copy gets its own fresh database, injected as the app's database
 * (setDatabaseForTests) for its tests; on PostgreSQL DATABASE_URL points at it too, so the modes the app reports
 * (health, X-Data-Source) match the database in use.
 */
export function describeEachDatabase(name: string, body: (ctx: DatabaseTestContext) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let current: TestDatabase | undefined;
      let restoreEnv: (() => void) | undefined;
      const need = (): TestDatabase => {
        if (!current) throw new Error("the test database is only available inside tests and hooks");
        return current;
      };
      const ctx: DatabaseTestContext = {
        kind,
        get handle() {
          return need().handle;
        },
        get db() {
          return need().handle.db;
        },
        get url() {
          return need().url;
        },
        async withDatabase(other, fn) {
          injectDatabase(other);
          try {
            return await fn();
          } finally {
            injectDatabase(need().handle);
          }
        },
      };

      beforeAll(async () => {
        current = await createTestDatabase(kind);
        restoreEnv = setEnv({ DATABASE_URL: current.url });
        injectDatabase(current.handle);
      });

      afterAll(async () => {
        injectDatabase(undefined);
        restoreEnv?.();
        await current?.dispose();
        current = undefined;
      });

      body(ctx);
    });
  }
}
