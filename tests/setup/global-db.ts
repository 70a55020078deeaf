import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/server/db/client";
import { migrationsFolder, runMigrations } from "../../src/server/db/migrate";
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  dropStaleDatabases,
  testDatabaseUrl,
  uniqueDatabaseName,
} from "../helpers/postgres-admin";

/**
 * Builds the databases every integration test file starts from, once per run:
 *   PGlite      a fresh data directory dumped before and after the migrations (two tarballs under os.tmpdir(),
 *               reused across runs while the migrations and the PGlite version are unchanged); each test file loads
 *               its own in-memory copy (~1 s instead of ~8 s for a new cluster).
 *   PostgreSQL  (TEST_DATABASE_URL set) a migrated template database; each test file clones it with
 *               CREATE DATABASE … TEMPLATE and drops its clone afterwards. The template is dropped at teardown.
 *   Pooler      (TEST_VIA_POOLER=1 with TEST_POOLER_DATABASE_URL, set by `npm run test:integration:pooler`) the app's
 *               connections to each clone go through that transaction pooler (PgBouncer), and PGlite is left out;
 *               creating and dropping databases still goes straight to TEST_DATABASE_URL.
 */
declare module "vitest" {
  export interface ProvidedContext {
    pgliteEmptyDump: string;
    pgliteMigratedDump: string;
    /** `poolerUrl`: the app's connections go through this transaction pooler instead of `adminUrl`'s server. */
    postgres: { adminUrl: string; template: string; poolerUrl?: string } | null;
  }
}

const STALE_DATABASE_AGE_MS = 6 * 60 * 60_000;
const STALE_DUMP_AGE_MS = 60 * 60_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dumps = await pgliteDumps();
  project.provide("pgliteEmptyDump", dumps.empty);
  project.provide("pgliteMigratedDump", dumps.migrated);

  const adminUrl = testDatabaseUrl();
  const poolerUrl = testPoolerUrl();
  if (poolerUrl && !adminUrl) throw new Error("TEST_VIA_POOLER needs TEST_DATABASE_URL (the server behind the pooler)");
  if (!adminUrl) {
    project.provide("postgres", null);
    return async () => {};
  }
  await dropStaleDatabases(adminUrl, STALE_DATABASE_AGE_MS);
  const template = uniqueDatabaseName("template");
  await createDatabase(adminUrl, template);
  try {
    const handle = await openDatabase({ kind: "postgres", url: databaseUrl(adminUrl, template), poolMax: 1 });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
  } catch (error) {
    await dropDatabase(adminUrl, template);
    throw error;
  }
  project.provide("postgres", { adminUrl, template, ...(poolerUrl ? { poolerUrl } : {}) });
  return async () => {
    await dropDatabase(adminUrl, template);
  };
}

function testPoolerUrl(): string | undefined {
  if (process.env.TEST_VIA_POOLER !== "1") return undefined;
  const url = process.env.TEST_POOLER_DATABASE_URL?.trim();
  if (!url) throw new Error("TEST_VIA_POOLER=1 needs TEST_POOLER_DATABASE_URL");
  return url;
}

async function pgliteDumps(): Promise<{ empty: string; migrated: string }> {
  const dir = path.join(os.tmpdir(), "slotbook-vitest");
  mkdirSync(dir, { recursive: true });
  const key = cacheKey();
  const empty = path.join(dir, `pglite-${key}-empty.tar`);
  const migrated = path.join(dir, `pglite-${key}-migrated.tar`);
  pruneOldDumps(dir, key);
  if (existsSync(empty) && existsSync(migrated)) return { empty, migrated };

  const handle = await openDatabase({ kind: "pglite" });
  try {
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    await writeAtomically(empty, await client.dumpDataDir("none"));
    await runMigrations(handle);
    await writeAtomically(migrated, await client.dumpDataDir("none"));
  } finally {
    await handle.close();
  }
  return { empty, migrated };
}

/** Dumps of other migration states, left by earlier runs; kept for an hour in case another run is still using them. */
function pruneOldDumps(dir: string, currentKey: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith("pglite-") || name.startsWith(`pglite-${currentKey}-`)) continue;
    const file = path.join(dir, name);
    if (Date.now() - statSync(file).mtimeMs > STALE_DUMP_AGE_MS) rmSync(file, { force: true });
  }
}

/** Changes whenever a migration, the migrator or the PGlite version changes, so a stale dump is never used. */
function cacheKey(): string {
  const hash = createHash("sha256");
  const files = readdirSync(migrationsFolder, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(sql|json)$/.test(f))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(path.join(migrationsFolder, file)));
  hash.update(readFileSync(path.resolve("src/server/db/migrate.ts")));
  hash.update(readFileSync(path.resolve("node_modules/@electric-sql/pglite/package.json")));
  return hash.digest("hex").slice(0, 16);
}

async function writeAtomically(file: string, blob: Blob): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
  renameSync(partial, file);
}
