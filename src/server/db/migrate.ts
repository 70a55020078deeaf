import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { queryRows, type DatabaseHandle, type Db } from "./client";

export const migrationsFolder = path.resolve(process.cwd(), "drizzle");

type JournalEntry = { idx: number; tag: string; when: number };

export function readJournal(folder = migrationsFolder): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

// Any constant works; it only has to be the same for every instance of this app.
const MIGRATION_LOCK_KEY = 726_100_001;

/**
 * Applies pending SQL migrations. Safe to run from several instances at once on PostgreSQL (advisory lock) and
 * idempotent (drizzle's migrations table). On PostgreSQL the lock and the migration share one dedicated session.
 */
export async function runMigrations(handle: DatabaseHandle, folder = migrationsFolder): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, { migrationsFolder: folder });
    return;
  }
  if (!handle.url) throw new Error("runMigrations: the postgres handle has no connection string");
  const client = postgres(handle.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

export type MigrationStatus = { applied: number; total: number; latest: string | null; pending: number };

export async function migrationStatus(db: Db, folder = migrationsFolder): Promise<MigrationStatus> {
  const journal = readJournal(folder);
  const exists = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists[0]?.present) return { applied: 0, total: journal.length, latest: null, pending: journal.length };
  const rows = await queryRows<{ created_at: string | number }>(
    db,
    sql`select created_at from drizzle.__drizzle_migrations order by created_at desc`,
  );
  const appliedWhen = new Set(rows.map((r) => Number(r.created_at)));
  const applied = journal.filter((e) => appliedWhen.has(e.when));
  return {
    applied: rows.length,
    total: journal.length,
    latest: applied.at(-1)?.tag ?? null,
    pending: journal.length - applied.length,
  };
}
