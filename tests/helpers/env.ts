import { envSchema, resetConfigForTests } from "@/lib/env";
import { RULE_NAMES } from "@/server/security/rate-limit-rules";

/**
 * process.env for integration tests. Every change goes through setEnv(), which also drops the parsed config so the
 * next getConfig() sees the new values, and returns a function that puts everything back.
 */
export type EnvPatch = Record<string, string | undefined>;

export function setEnv(patch: EnvPatch): () => void {
  const saved: EnvPatch = {};
  for (const [name, value] of Object.entries(patch)) {
    saved[name] = process.env[name];
    assign(name, value);
  }
  resetConfigForTests();
  return () => {
    for (const [name, value] of Object.entries(saved)) assign(name, value);
    resetConfigForTests();
  };
}

export async function withEnv<T>(patch: EnvPatch, fn: () => T | Promise<T>): Promise<T> {
  const restore = setEnv(patch);
  try {
    return await fn();
  } finally {
    restore();
  }
}

/**
 * Removes every variable envSchema reads (except NODE_ENV and LOG_LEVEL), so a developer's shell (a DATABASE_URL,
 * a real Stripe key) can never leak into a test. Tests set what they need with setEnv()/withEnv().
 */
export function scrubConfigEnv(): void {
  const keep = new Set(["NODE_ENV", "LOG_LEVEL"]);
  for (const name of Object.keys(envSchema.shape)) if (!keep.has(name)) delete process.env[name];
  Object.assign(process.env, GENEROUS_LIMITS);
  resetConfigForTests();
}

/**
 * Limits set deliberately for tests: every rule counts (the limiter code runs on every call), but at a million per
 * minute, since a test file calls handlers hundreds of times without a client address (one shared "unknown"
 * bucket). Tests of the limits themselves set the numbers they need with setEnv().
 */
export const GENEROUS_LIMITS: EnvPatch = {
  RATE_LIMITS: RULE_NAMES.map((rule) => `${rule}=1000000/60`).join(","),
  MAX_HELD_SEATS_PER_CLIENT: "100000",
  MAX_HELD_SEATS_PER_EMAIL: "100000",
};

export const TEST_CRON_SECRET = "test-cron-secret-0123456789abcdefghijklmnop";

/**
 * A complete configuration with mocks off: what `NODE_ENV=production` needs to start. Nothing here is contacted by
 * the tests (the database handle is injected).
 */
export function mocksOffEnv(overrides: EnvPatch = {}): EnvPatch {
  return {
    ALLOW_DEV_MOCKS: "false",
    APP_BASE_URL: "https://book.example.com",
    DATABASE_URL: "postgres://app@db.example.com:5432/app",
    MANAGE_LINK_SECRET: "test-manage-link-secret-0123456789abcdef",
    NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
    NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
    SUPABASE_JWT_SECRET: "test-supabase-jwt-secret-0123456789abcdef",
    STRIPE_SECRET_KEY: "sk_test_123",
    STRIPE_WEBHOOK_SECRET: "whsec_123",
    SMTP_URL: "smtps://user:pass@smtp.example.com:465",
    EMAIL_FROM: "Booking <no-reply@example.com>",
    REDIS_URL: "redis://cache.example.com:6379",
    CRON_SECRET: TEST_CRON_SECRET,
    ERROR_TRACKING: "off",
    ...overrides,
  };
}

function assign(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
