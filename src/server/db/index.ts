import "server-only";
import { sql } from "drizzle-orm";
import { getConfig } from "@/lib/env";
import { logger } from "@/lib/logger";
import { openDatabase, type DatabaseHandle, type Db, type Tx } from "./client";
import { runMigrations } from "./migrate";
import { processSingleton, processSlot } from "@/lib/process-global";

export type { DatabaseHandle, Db, Tx } from "./client";

/**
 * One database handle per process, kept on globalThis so every route bundle shares it (and PGlite's data directory
 * is opened once). Tests inject their own fresh database with setDatabaseForTests().
 */
const database = processSlot<Promise<DatabaseHandle>>("database");

export function getDatabase(): Promise<DatabaseHandle> {
  const current = database.get();
  if (current) return current;
  const opening = connect().catch((error: unknown) => {
    database.set(undefined);
    throw error;
  });
  database.set(opening);
  return opening;
}

async function connect(): Promise<DatabaseHandle> {
  const { env } = getConfig();
  const handle = env.DATABASE_URL
    ? await openDatabase({ kind: "postgres", url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX })
    : await openDatabase({ kind: "pglite", dataDir: env.PGLITE_DIR });
  logger.info({ event: "db.connected", database: handle.kind }, "database connected");
  return handle;
}

/** Closes the shared handle (PGlite: a clean close that releases the data directory's lock). Safe to call twice. */
export async function closeDatabase(): Promise<void> {
  const pending = database.get();
  database.set(undefined);
  if (!pending) return;
  const handle = await pending.catch(() => undefined);
  await handle?.close();
}

export function setDatabaseForTests(handle: DatabaseHandle | undefined): void {
  database.set(handle ? Promise.resolve(handle) : undefined);
}

/** Applies pending migrations on the shared handle (startup in development, `npm run db:migrate`). */
export async function migrateDatabase(): Promise<void> {
  await runMigrations(await getDatabase());
}

export type JwtClaims = {
  sub: string;
  role: "authenticated";
  email?: string;
  /** Set by the custom access token hook from user_roles. */
  user_role?: "admin" | "staff" | "user";
  aud?: string;
  exp?: number;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
};

/**
 * Runs fn in a transaction as the signed-in caller: `SET LOCAL ROLE authenticated` plus their JWT claims, so Row
 * Level Security decides what they see. Transaction-local only (pooler safe).
 */
export async function asUser<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return inFlight(() =>
    afterOutboxCommit((track) =>
      db.transaction(async (tx) => {
        await enterRole(tx, "authenticated", claims);
        return track(tx, await fn(tx));
      }),
    ),
  );
}

/** Runs fn as an anonymous visitor under Row Level Security. */
export async function asAnon<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return inFlight(() =>
    db.transaction(async (tx) => {
      await enterRole(tx, "anon", { role: "anon" });
      return fn(tx);
    }),
  );
}

/**
 * Runs fn as the service role, which bypasses Row Level Security. Only for jobs, webhooks, emulators and domain
 * functions that have already authorised the caller themselves (e.g. a guest's manage token).
 */
export async function asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return inFlight(() =>
    afterOutboxCommit((track) =>
      db.transaction(async (tx) => {
        await enterRole(tx, "service_role", { role: "service_role" });
        return track(tx, await fn(tx));
      }),
    ),
  );
}

/**
 * Transactions open right now through asUser / asAnon / asService, per process: the pool use the metrics report
 * (postgres.js keeps its pool's counts private; each of these transactions holds one connection while it runs).
 */
const activity = processSingleton("dbActivity", () => ({ transactions: 0 }));

export function openTransactions(): number {
  return activity().transactions;
}

async function inFlight<T>(run: () => Promise<T>): Promise<T> {
  activity().transactions += 1;
  try {
    return await run();
  } finally {
    activity().transactions -= 1;
  }
}

/**
 * Transactional outbox, after commit: a transaction that wrote notification rows (noteOutboxWrite) wakes the
 * dispatcher once it has committed, so messages go out right away; the cron job catches anything missed (a crash
 * between commit and send). The listener is registered by the notifications module (no import cycle).
 */
type OutboxHooks = { written: WeakSet<object>; listener?: () => void };
const outboxHooks = processSingleton<OutboxHooks>("outboxHooks", () => ({ written: new WeakSet() }));

export function noteOutboxWrite(tx: Tx | Db): void {
  outboxHooks().written.add(tx);
}

export function onOutboxCommitted(listener: (() => void) | undefined): void {
  outboxHooks().listener = listener;
}

/** For single-statement writers (booking/hold.ts) that commit outbox rows without asService. */
export function outboxCommitted(): void {
  outboxHooks().listener?.();
}

/**
 * Work that must only happen once a transaction of asService / asUser committed (the domain-event log line of a
 * state change, src/server/audit/events.ts): dropped when it rolls back. A `tx` that is not such a transaction (a
 * single-statement writer's handle) never runs its hooks; those writers call what they need after their statement.
 */
const commitHooks = processSingleton("commitHooks", () => new WeakMap<object, (() => void)[]>());

export function afterCommit(tx: Tx | Db, hook: () => void): void {
  const hooks = commitHooks().get(tx);
  if (hooks) hooks.push(hook);
  else commitHooks().set(tx, [hook]);
}

async function afterOutboxCommit<T>(run: (track: (tx: Tx, result: T) => T) => Promise<T>): Promise<T> {
  let wrote = false;
  let hooks: (() => void)[] | undefined;
  const result = await run((tx, value) => {
    wrote = outboxHooks().written.has(tx);
    hooks = commitHooks().get(tx);
    return value;
  });
  for (const hook of hooks ?? []) hook();
  if (wrote) outboxCommitted();
  return result;
}

/**
 * `SET LOCAL ROLE` and the JWT claims in one round trip: set_config(..., true) is transaction-local, exactly like
 * SET LOCAL, so nothing leaks to the next user of a pooled connection.
 */
async function enterRole(tx: Tx, role: "anon" | "authenticated" | "service_role", claims: object): Promise<void> {
  await tx.execute(
    sql`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', ${role}, true)`,
  );
}
