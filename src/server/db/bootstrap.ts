import "server-only";
import { existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { closeDatabase, getDatabase, migrateDatabase } from "./index";
import { DatabaseLockedError, LOCK_FILE } from "./lock";
import { isDatabaseEmpty, seedDatabase, type SeedResult } from "./seed";
import { printSavedAccounts, printSeedAccounts } from "./seed-console";

/**
 * Startup work for the database: migrations apply at startup in development and whenever the embedded database is
 * used (production PostgreSQL migrates with `npm run db:migrate` as a release step), and an empty embedded database
 * is seeded with demo data.
 */
export async function prepareDatabaseAtStartup(): Promise<void> {
  await openEmbeddedOrMoveAside();
  await prepareOnce();
}

/**
 * Opens the embedded database and reads its catalogue. In development, a directory that cannot be opened (PGlite
 * `Aborted()`, a PANIC, unreadable catalogue files) is moved aside to `<dir>.broken-<time>` and a fresh one takes its
 * place, which prepareOnce() then migrates and seeds. Never on PostgreSQL, never outside development, never for a
 * directory another live process holds (a refusal, not damage), and never for a failing migration (a bug to fix,
 * not a database to throw away).
 */
async function openEmbeddedOrMoveAside(): Promise<void> {
  const { env, modes } = getConfig();
  if (modes.database !== "pglite") return;
  try {
    await probe();
  } catch (error) {
    if (env.NODE_ENV !== "development" || error instanceof DatabaseLockedError) throw error;
    await closeDatabase().catch(() => undefined);
    const brokenDir = moveAsideBrokenDatabase(env.PGLITE_DIR);
    logger.error(
      { event: "db.embedded_moved_aside", brokenDir, err: error },
      "the embedded database could not be opened; it was moved aside and a fresh one is created",
    );
    console.error(
      `\n  The embedded database in ${path.resolve(env.PGLITE_DIR)} could not be opened.\n` +
        `  It was moved to ${brokenDir} (kept for inspection; delete it when done) and a fresh, seeded one is created.\n`,
    );
    await probe();
  }
}

async function probe(): Promise<void> {
  const { db } = await getDatabase();
  await db.execute(sql`select count(*) from pg_catalog.pg_class`);
}

/** Renames a broken PGlite directory to `<dir>.broken-<UTC time>` and returns the new path. */
export function moveAsideBrokenDatabase(dataDir: string): string {
  const from = path.resolve(dataDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  let to = `${from}.broken-${stamp}`;
  for (let n = 2; existsSync(to); n++) to = `${from}.broken-${stamp}-${n}`;
  // The lock travels with the directory; drop it so the copy reads as plain data.
  rmSync(path.join(from, LOCK_FILE), { force: true });
  renameSync(from, to);
  return to;
}

async function prepareOnce(): Promise<void> {
  const { env, modes } = getConfig();
  const embedded = modes.database === "pglite";
  if (env.NODE_ENV !== "production" || embedded) {
    const started = performance.now();
    await migrateDatabase();
    logger.info({ event: "db.migrated", durationMs: Math.round(performance.now() - started) }, "migrations applied");
  }
  if (!embedded) return;
  const { db } = await getDatabase();
  if (await isDatabaseEmpty(db)) {
    const result = await seedNow();
    logger.info({ event: "db.seeded", services: result.services, slots: result.slots }, "embedded database seeded");
  } else {
    printSavedAccounts(env.DATA_DIR);
  }
}

async function seedNow(): Promise<SeedResult> {
  const { env } = getConfig();
  const { db } = await getDatabase();
  const result = await seedDatabase(db, {
    now: clock.now(),
    timeZone: env.BUSINESS_TIMEZONE,
    currency: env.DEFAULT_CURRENCY,
    accounts: {
      admin: { email: env.SEED_ADMIN_EMAIL, password: env.SEED_ADMIN_PASSWORD },
      staff: { email: env.SEED_STAFF_EMAIL, password: env.SEED_STAFF_PASSWORD },
    },
  });
  printSeedAccounts(result.accounts, env.DATA_DIR);
  return result;
}

/**
 * Empties every table of the embedded database (audit log included: triggers are switched off for this one
 * transaction) and seeds again. Refused on PostgreSQL so a development machine pointed at a real database can never
 * wipe it.
 */
export async function resetEmbeddedDatabase(): Promise<SeedResult> {
  const handle = await getDatabase();
  if (handle.kind !== "pglite") {
    throw new AppError("invalid_state", "Reset is only available on the embedded database (DATABASE_URL is set).");
  }
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`
      truncate table audit_log, notifications, refunds, payments, reservation_slot_changes, reservations,
        slot_rules, slots, services, webhook_events, idempotency_keys, email_suppressions, user_roles, job_leases
      restart identity cascade`);
    await tx.execute(
      sql`truncate table auth_emulator.one_time_tokens, auth_emulator.refresh_tokens, auth_emulator.sessions, auth.sessions`,
    );
    await tx.execute(sql`delete from auth.users`);
  });
  return seedNow();
}
