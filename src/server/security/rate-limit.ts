// Long on purpose: the limiter's three stores (memory, Redis, PostgreSQL), their health check and the
// one consume/enforce path; the rules are in rate-limit-rules.ts.
import "server-only";
import { withTimeout } from "@/lib/timeout";
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import {
  RateLimiterDrizzle,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { getConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { getDatabase } from "@/server/db";
import { rateLimits } from "@/server/db/schema";
import { rulesWithOverrides, type RuleName, type RuleSpec } from "./rate-limit-rules";
import { processSlot } from "@/lib/process-global";
import { count } from "@/server/observability/metrics";

/**
 * Rate limiting, one code path over three stores (rate-limiter-flexible): memory in the embedded default, Redis with
 * REDIS_URL, PostgreSQL (table rate_limits) with RATE_LIMIT_STORE=postgres. The rules are in rate-limit-rules.ts.
 *
 * - `consume(rule, subject)` counts one request and says whether it may proceed (never throws for a refusal);
 * - `enforce(rule, subject)` does the same and throws AppError rate_limited (429 + Retry-After + RateLimit headers);
 * - `failures` counters (`recordFailure` / `lockedOut` / `clearFailures`) give password sign-in its growing lockout.
 *
 * When the store cannot be reached the rule's `whenStoreDown` decides: "open" lets the request through, "closed"
 * throws AppError dependency_unavailable (503, Retry-After). Either way one `rate_limit.store_unavailable` line is
 * logged per failure. Refusals log `rate_limit.refused` (rule and hashed subject, never the address itself).
 */

export type LimitOutcome = {
  rule: RuleName;
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window resets (and, when refused, until a retry can succeed). */
  resetSeconds: number;
  /** The store could not be asked and the rule let the request through. */
  storeDown?: boolean;
};

type State = {
  configKey: string;
  store: "memory" | "redis" | "postgres";
  rules: Record<RuleName, RuleSpec>;
  off: boolean;
  limiters: Map<string, RateLimiterAbstract>;
  redis?: Redis;
};

const holder = processSlot<State>("rateLimit");

function state(): State {
  const { env, modes } = getConfig();
  const configKey = [modes.rateLimit, env.REDIS_URL ?? "", env.RATE_LIMITS ?? ""].join("|");
  const current = holder.get();
  if (current && current.configKey === configKey) return current;
  current?.redis?.disconnect();
  const { rules, off } = rulesWithOverrides(env.RATE_LIMITS);
  const next: State = { configKey, store: modes.rateLimit, rules, off, limiters: new Map() };
  if (next.store === "redis" && env.REDIS_URL) {
    next.redis = new Redis(env.REDIS_URL, {
      // Fail fast when Redis is down rather than queueing commands: the rule's whenStoreDown decides.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
      lazyConnect: false,
    });
    next.redis.on("error", (error: Error & { code?: string }) => {
      logger.warn(
        { event: "rate_limit.store_unavailable", store: "redis", code: error.code },
        "rate-limit store error",
      );
    });
  }
  holder.set(next);
  return next;
}

/** The rule as configured (RATE_LIMITS overrides applied). */
export function ruleSpec(rule: RuleName): RuleSpec {
  return state().rules[rule];
}

async function limiterFor(name: string, points: number, seconds: number): Promise<RateLimiterAbstract> {
  const s = state();
  if (s.redis) await redisConnecting(s.redis);
  const id = `${name}:${points}/${seconds}`;
  const existing = s.limiters.get(id);
  if (existing) return existing;
  const common = { points, duration: seconds, keyPrefix: `rl:${name}` };
  let limiter: RateLimiterAbstract;
  if (s.store === "redis" && s.redis) {
    limiter = new RateLimiterRedis({ ...common, storeClient: s.redis, rejectIfRedisNotReady: true });
  } else if (s.store === "postgres") {
    const { db } = await getDatabase();
    limiter = new RateLimiterDrizzle({
      ...common,
      storeClient: db,
      schema: rateLimits,
      clearExpiredByTimeout: false,
    } as ConstructorParameters<typeof RateLimiterDrizzle>[0]);
  } else {
    limiter = new RateLimiterMemory(common);
  }
  s.limiters.set(id, limiter);
  return limiter;
}

/**
 * Commands are not queued while Redis is unreachable (each rule's whenStoreDown decides at once), so the first
 * requests after a start wait for the connection being made, briefly, instead of counting as an outage.
 */
async function redisConnecting(redis: Redis, waitMs = 1000): Promise<void> {
  if (!["wait", "connecting", "connect"].includes(redis.status)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      redis.off("error", done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    redis.once("ready", done);
    redis.once("error", done);
  });
}

/** Subjects (addresses, emails, user ids) are hashed before they reach the store or a log line. */
export function subjectKey(subject: string): string {
  return createHash("sha256")
    .update(`slotbook-rate-limit:${subject.trim().toLowerCase()}`)
    .digest("base64url")
    .slice(0, 22);
}

function outcome(rule: RuleName, spec: RuleSpec, res: RateLimiterRes, allowed: boolean): LimitOutcome {
  return {
    rule,
    allowed,
    limit: spec.points,
    windowSeconds: spec.seconds,
    remaining: Math.max(0, res.remainingPoints ?? 0),
    resetSeconds: Math.max(1, Math.ceil((res.msBeforeNext ?? 0) / 1000)),
  };
}

function storeDown(rule: RuleName, spec: RuleSpec, error: unknown): LimitOutcome {
  const s = state();
  logger.warn(
    {
      event: "rate_limit.store_unavailable",
      rule,
      store: s.store,
      whenStoreDown: spec.whenStoreDown,
      code: (error as { code?: string })?.code,
    },
    "rate-limit store unavailable",
  );
  if (spec.whenStoreDown === "closed") {
    throw new AppError("dependency_unavailable", "This is temporarily unavailable; try again shortly.", {
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  return {
    rule,
    allowed: true,
    limit: spec.points,
    windowSeconds: spec.seconds,
    remaining: spec.points,
    resetSeconds: spec.seconds,
    storeDown: true,
  };
}

/**
 * Counts `points` against the rule for this subject. Undefined subject (no client address known, e.g. a direct call
 * in a test) shares one bucket named "unknown". Never throws for a refusal; throws 503 when the store is down and
 * the rule fails closed.
 */
export async function consume(rule: RuleName, subject: string | undefined, points = 1): Promise<LimitOutcome> {
  const s = state();
  const spec = s.rules[rule];
  if (s.off)
    return {
      rule,
      allowed: true,
      limit: spec.points,
      windowSeconds: spec.seconds,
      remaining: spec.points,
      resetSeconds: spec.seconds,
    };
  const key = subjectKey(subject ?? "unknown");
  try {
    const limiter = await limiterFor(rule, spec.points, spec.seconds);
    const res = await limiter.consume(key, points);
    return outcome(rule, spec, res, true);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      const refused = outcome(rule, spec, rejection, false);
      count("rate_limit_refusals", { rule });
      logger.info(
        { event: "rate_limit.refused", rule, subject: key, retryAfterSeconds: refused.resetSeconds },
        "rate limited",
      );
      return refused;
    }
    return storeDown(rule, spec, rejection);
  }
}

/** consume(), throwing 429 rate_limited (with Retry-After and the RateLimit headers) when refused. */
export async function enforce(rule: RuleName, subject: string | undefined, points = 1): Promise<LimitOutcome> {
  const result = await consume(rule, subject, points);
  if (!result.allowed) throw rateLimitedError(result);
  return result;
}

export function rateLimitedError(
  result: LimitOutcome,
  detail = "Too many requests; wait a moment and try again.",
): AppError {
  return new AppError("rate_limited", detail, {
    retryAfterSeconds: result.resetSeconds,
    headers: rateLimitHeaders([result]),
  });
}

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy of each rule consulted and the
 * state of the one closest to refusing, e.g. `RateLimit-Policy: "api.write";q=120;w=60` and
 * `RateLimit: "api.write";r=119;t=60`.
 */
export function rateLimitHeaders(results: LimitOutcome[]): Record<string, string> {
  if (results.length === 0) return {};
  const tightest = [...results].sort(
    (a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining,
  )[0] as LimitOutcome;
  return {
    "RateLimit-Policy": results.map((r) => `"${r.rule}";q=${r.limit};w=${r.windowSeconds}`).join(", "),
    RateLimit: `"${tightest.rule}";r=${tightest.remaining};t=${tightest.resetSeconds}`,
  };
}

// --- failure counters with a growing lockout (password sign-in) ------------------------------------------------

const LOCKOUT_BASE_SECONDS = 60;
const LOCKOUT_MAX_SECONDS = 3600;

/**
 * A failed attempt for this subject. Once the rule's points are used up, each further failure locks the subject out
 * for twice as long as the last (1 min, 2, 4, … 1 h). Returns the lockout now in force, in seconds (0 for none).
 */
export async function recordFailure(rule: RuleName, subject: string): Promise<number> {
  const s = state();
  const spec = s.rules[rule];
  if (s.off) return 0;
  const key = subjectKey(subject);
  try {
    const counter = await limiterFor(`${rule}.failures`, Number.MAX_SAFE_INTEGER, spec.seconds);
    const res = await counter.consume(key, 1);
    const failures = res.consumedPoints;
    if (failures < spec.points) return 0;
    const seconds = Math.min(LOCKOUT_MAX_SECONDS, LOCKOUT_BASE_SECONDS * 2 ** (failures - spec.points));
    const lock = await limiterFor(`${rule}.lockout`, 1, LOCKOUT_MAX_SECONDS);
    await lock.block(key, seconds);
    logger.info(
      { event: "rate_limit.locked_out", rule, subject: key, failures, lockoutSeconds: seconds },
      "locked out after failures",
    );
    return seconds;
  } catch (error) {
    storeDown(rule, spec, error);
    return 0;
  }
}

/** Seconds left on this subject's lockout (0 when none). Store down: per the rule (closed → 503). */
export async function lockedOut(rule: RuleName, subject: string): Promise<LimitOutcome | null> {
  const s = state();
  const spec = s.rules[rule];
  if (s.off) return null;
  const key = subjectKey(subject);
  try {
    const lock = await limiterFor(`${rule}.lockout`, 1, LOCKOUT_MAX_SECONDS);
    const res = await lock.get(key);
    if (!res || res.consumedPoints <= 1 || res.msBeforeNext <= 0) return null;
    count("rate_limit_refusals", { rule });
    logger.info(
      { event: "rate_limit.refused", rule, subject: key, retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000) },
      "locked out",
    );
    return {
      rule,
      allowed: false,
      limit: spec.points,
      windowSeconds: spec.seconds,
      remaining: 0,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  } catch (error) {
    storeDown(rule, spec, error);
    return null;
  }
}

/** A success: forget this subject's failures and any lockout. */
export async function clearFailures(rule: RuleName, subject: string): Promise<void> {
  const s = state();
  if (s.off) return;
  const spec = s.rules[rule];
  const key = subjectKey(subject);
  try {
    await (await limiterFor(`${rule}.failures`, Number.MAX_SAFE_INTEGER, spec.seconds)).delete(key);
    await (await limiterFor(`${rule}.lockout`, 1, LOCKOUT_MAX_SECONDS)).delete(key);
  } catch (error) {
    logger.warn(
      { event: "rate_limit.store_unavailable", rule, store: s.store, code: (error as { code?: string })?.code },
      "could not clear failures",
    );
  }
}

// --- health and housekeeping ---------------------------------------------------------------------------------

export type RateLimitHealth = { store: State["store"]; ok: boolean; latencyMs: number | null; error?: string };

/** Asks the store itself (PING, or a query on rate_limits): what /api/health reports. */
export async function rateLimitStoreHealth(timeoutMs = 2000): Promise<RateLimitHealth> {
  const s = state();
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    if (s.store === "redis") {
      if (!s.redis) throw Object.assign(new Error("no client"), { code: "NO_CLIENT" });
      await redisConnecting(s.redis);
      await withTimeout(s.redis.ping(), timeoutMs);
    } else if (s.store === "postgres") {
      const { db } = await getDatabase();
      await withTimeout(db.select({ key: rateLimits.key }).from(rateLimits).limit(1), timeoutMs);
    }
    return { store: s.store, ok: true, latencyMs: latency() };
  } catch (error) {
    return { store: s.store, ok: false, latencyMs: null, error: (error as { code?: string })?.code ?? "unreachable" };
  }
}

/** Tests: forget every counter (memory store) and the configuration. */
export function resetRateLimitsForTests(): void {
  holder.get()?.redis?.disconnect();
  holder.set(undefined);
}
