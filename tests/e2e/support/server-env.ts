import { RULE_NAMES } from "../../../src/server/security/rate-limit-rules";

/**
 * Environment for the servers the E2E suite starts. Variables that switch an integration to a real service are set
 * to "" rather than left out: src/lib/env.ts reads "" as unset, and Next.js does not fill a variable that is already
 * present from a developer's .env / .env.local, so a local DATABASE_URL or Stripe key can never leak into a test
 * server (and the E2E server can never write to a real database).
 */
const INTEGRATION_VARIABLES = [
  "ALLOW_DEV_MOCKS",
  "APP_BASE_URL",
  "DATABASE_URL",
  "NEXT_PUBLIC_SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_JWT_SECRET",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "SMTP_URL",
  "SMTP_HOST",
  "EMAIL_FROM",
  "EMAIL_DRY_RUN",
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_FROM_NUMBER",
  "REDIS_URL",
  "CRON_SECRET",
  "CRON_IN_PROCESS",
  "SENTRY_DSN",
] as const;

export function blankIntegrationEnv(): Record<string, string> {
  return Object.fromEntries(INTEGRATION_VARIABLES.map((name) => [name, ""]));
}

/** Where the E2E server keeps its embedded database; deleted before each run. */
export const E2E_DATA_DIR = ".data/e2e";

/**
 * Limits for the servers the suite starts: every E2E request comes from 127.0.0.1, so with the production defaults the
 * suite would throttle itself (and hold more seats from one address than a customer may). Every rule still counts, at
 * a million a minute, as in the integration tests (tests/helpers/env.ts GENEROUS_LIMITS).
 */
export function generousLimitsEnv(): Record<string, string> {
  return {
    RATE_LIMITS: RULE_NAMES.map((rule) => `${rule}=1000000/60`).join(","),
    MAX_HELD_SEATS_PER_CLIENT: "100000",
    MAX_HELD_SEATS_PER_EMAIL: "100000",
  };
}
