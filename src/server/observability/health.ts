import "server-only";
import { withTimeout } from "@/lib/timeout";
import { sql } from "drizzle-orm";
import { getEnv, getModes } from "@/lib/env";
import { getDatabase } from "@/server/db";
import { migrationStatus, type MigrationStatus } from "@/server/db/migrate";
import { rateLimitStoreHealth, type RateLimitHealth } from "@/server/security/rate-limit";
import packageJson from "../../../package.json";

const startedAt = Date.now();

export type Health = {
  status: "ok" | "degraded" | "unavailable";
  version: string;
  uptimeSeconds: number;
  modes: Omit<ReturnType<typeof getModes>, "mocksAllowed" | "clock"> & { mocksAllowed: boolean; clock: string };
  db: { ok: boolean; latencyMs: number | null; migration: MigrationStatus | null; error?: string };
  /** The rate-limit store asked directly (Redis PING, a read of rate_limits, or the process's memory). */
  rateLimit: RateLimitHealth;
};

const DB_CHECK_TIMEOUT_MS = 3000;

export async function checkHealth(): Promise<Health> {
  const modes = getModes();
  const [db, rateLimit] = await Promise.all([checkDatabase(), rateLimitStoreHealth()]);
  // A rate-limit store that is down degrades the service (reads pass, sign-in is refused) without taking it out of
  // the load balancer: readiness follows the database alone.
  const status: Health["status"] = !db.ok
    ? "unavailable"
    : (db.migration && db.migration.pending > 0) || !rateLimit.ok
      ? "degraded"
      : "ok";
  return {
    status,
    version: getEnv().APP_VERSION ?? packageJson.version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    modes,
    db,
    rateLimit,
  };
}

async function checkDatabase(): Promise<Health["db"]> {
  const started = performance.now();
  try {
    const result = await withTimeout(
      (async () => {
        const { db } = await getDatabase();
        await db.execute(sql`select 1`);
        const latencyMs = Math.round((performance.now() - started) * 10) / 10;
        return { ok: true, latencyMs, migration: await migrationStatus(db) };
      })(),
      DB_CHECK_TIMEOUT_MS,
    );
    return result;
  } catch (error) {
    return { ok: false, latencyMs: null, migration: null, error: errorCode(error) ?? "unreachable" };
  }
}

/** The first error code along the cause chain (drivers wrap the socket error), e.g. ECONNREFUSED. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
