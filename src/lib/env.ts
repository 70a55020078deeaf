// Long on purpose: one schema, its descriptions and the mode resolution for every variable, kept
// together so .env.example, the startup check and src/lib/env.test.ts have a single list to agree with.
import { z } from "zod";

/**
 * Every environment variable the app reads, in one schema, grouped by integration.
 * `.env.example` documents the same list; src/lib/env.test.ts keeps the two in step.
 *
 * Parsed once at startup (src/instrumentation.ts). Everything else calls `getEnv()` / `getModes()`.
 */

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1"));

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const optionalUrl = optionalString.pipe(z.url().optional());

const intInRange = (min: number, max: number, fallback: number) =>
  optionalString
    .pipe(z.string().regex(/^\d+$/, "must be a whole number").optional())
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A sampling rate between 0 and 1 (Sentry's sampleRate / tracesSampleRate). */
const rate = (fallback: number) =>
  optionalString
    .pipe(
      z
        .string()
        .regex(/^(0(\.\d+)?|1(\.0+)?)$/, "must be a number from 0 to 1, such as 0.25")
        .optional(),
    )
    .transform((v) => (v === undefined ? fallback : Number(v)));

export const envSchema = z.object({
  // --- app -------------------------------------------------------------------------------------------
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  APP_BASE_URL: optionalUrl,
  ALLOW_DEV_MOCKS: bool,
  ALLOWED_BASE_HOSTS: optionalString,
  ALLOW_DEV_MOCKS_REMOTE: bool,
  TRUSTED_PROXY_HOPS: intInRange(0, 10, 0),
  BUSINESS_TIMEZONE: optionalString
    .refine((tz) => tz === undefined || isValidTimeZone(tz), "must be an IANA time zone such as Asia/Tokyo")
    .transform((tz) => tz ?? "Asia/Tokyo"),
  DEFAULT_CURRENCY: optionalString
    .pipe(
      z
        .string()
        .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as JPY")
        .optional(),
    )
    .transform((c) => c ?? "JPY"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  APP_VERSION: optionalString,

  // --- booking policy -------------------------------------------------------------------------------
  HOLD_MINUTES: intInRange(1, 24 * 60, 15),
  MAX_SEATS_PER_BOOKING: intInRange(1, 1000, 10),
  CANCELLATION_DEADLINE_HOURS: intInRange(0, 24 * 365, 24),
  MANAGE_LINK_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  MANAGE_LINK_SECRET_PREVIOUS: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  REMINDER_HOURS_BEFORE: intInRange(1, 24 * 14, 24),
  MAX_HELD_SEATS_PER_CLIENT: intInRange(1, 100_000, 20),
  MAX_HELD_SEATS_PER_EMAIL: intInRange(1, 100_000, 10),

  // --- database --------------------------------------------------------------------------------------
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
      .optional(),
  ),
  DATABASE_POOL_MAX: intInRange(1, 100, 10),
  PGLITE_DIR: optionalString.transform((d) => d ?? ".data/pglite"),
  DATA_DIR: optionalString.transform((d) => d ?? ".data"),
  SEED_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  SEED_ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, "must be at least 12 characters").optional()),
  SEED_STAFF_EMAIL: optionalString.pipe(z.email().optional()),
  SEED_STAFF_PASSWORD: optionalString.pipe(z.string().min(12, "must be at least 12 characters").optional()),

  // --- auth (Supabase) -------------------------------------------------------------------------------
  NEXT_PUBLIC_SUPABASE_URL: optionalUrl,
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optionalString,
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  SUPABASE_JWT_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),

  // --- payments (Stripe) -----------------------------------------------------------------------------
  STRIPE_SECRET_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, "must be a Stripe secret or restricted key (sk_… / rk_…)")
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^whsec_/, "must be a Stripe webhook signing secret (whsec_…)")
      .optional(),
  ),
  LATE_PAYMENT_POLICY: z.enum(["reacquire_or_refund", "refund", "manual"]).default("reacquire_or_refund"),
  PAYMENT_RECONCILE_AFTER_MINUTES: intInRange(1, 24 * 60, 10),
  STAFF_ALERT_EMAIL: optionalString.pipe(z.email().optional()),

  // --- email -----------------------------------------------------------------------------------------
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\//, "must be smtp:// or smtps://")
      .optional(),
  ),
  SMTP_HOST: optionalString,
  SMTP_PORT: intInRange(1, 65535, 587),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_SECURE: bool,
  EMAIL_FROM: optionalString,
  EMAIL_DRY_RUN: bool,
  EMAIL_WEBHOOK_SECRET: optionalString,

  // --- sms -------------------------------------------------------------------------------------------
  SMS_PROVIDER: z.enum(["twilio", "dry_run", "off"]).optional(),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM_NUMBER: optionalString,

  // --- rate limits -----------------------------------------------------------------------------------
  RATE_LIMIT_STORE: z.enum(["memory", "redis", "postgres"]).optional(),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must be redis:// or rediss://")
      .optional(),
  ),
  RATE_LIMITS: optionalString.pipe(
    z
      .string()
      .regex(
        /^(off|[a-z_.]+=\d+\/\d+(,[a-z_.]+=\d+\/\d+)*)$/,
        "must be off, or rule=points/seconds pairs separated by commas (e.g. hold.ip=20/60)",
      )
      .optional(),
  ),

  // --- cron ------------------------------------------------------------------------------------------
  CRON_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  CRON_ALLOWED_USER_AGENTS: optionalString,
  CRON_ALLOWED_IPS: optionalString,
  CRON_IN_PROCESS: bool,

  // --- error tracking --------------------------------------------------------------------------------
  SENTRY_DSN: optionalUrl,
  SENTRY_ENVIRONMENT: optionalString,
  ERROR_TRACKING: z.enum(["sentry", "off"]).optional(),
  SENTRY_SAMPLE_RATE: rate(1),
  SENTRY_TRACES_SAMPLE_RATE: rate(0),

  // --- metrics ---------------------------------------------------------------------------------------
  METRICS_TOKEN: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),

  // --- clock -----------------------------------------------------------------------------------------
  CLOCK: z.enum(["system", "test"]).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** What each variable is for, used in the startup error so an operator knows what to set. */
export const envDescriptions: Record<keyof Env, string> = {
  NODE_ENV: "runtime mode (set by Next.js)",
  APP_BASE_URL: "public origin used to build links in emails and redirects, e.g. https://book.example.com",
  ALLOW_DEV_MOCKS: "permit emulators, dry runs, ?source=mock and /api/dev/** (default: on outside production)",
  ALLOWED_BASE_HOSTS:
    "comma-separated hosts the app answers for (default: the host of APP_BASE_URL, plus localhost while mocks are allowed)",
  ALLOW_DEV_MOCKS_REMOTE:
    "true lets a production build with ALLOW_DEV_MOCKS=true answer clients and hosts other than loopback (never for real traffic)",
  TRUSTED_PROXY_HOPS:
    "how many proxies in front of the app append to X-Forwarded-For: 0 direct, 1 behind one nginx/load balancer or on Vercel (default 0)",
  BUSINESS_TIMEZONE: "IANA time zone slots are generated and shown in (default Asia/Tokyo)",
  DEFAULT_CURRENCY: "ISO 4217 currency for new services (default JPY)",
  LOG_LEVEL: "pino log level (default info; silent in tests)",
  APP_VERSION: "version reported by /api/health (default: package.json version)",
  HOLD_MINUTES: "minutes a pending (unpaid) reservation holds its seats before it expires (default 15)",
  MAX_SEATS_PER_BOOKING: "most seats one reservation may take (default 10)",
  CANCELLATION_DEADLINE_HOURS:
    "customers may cancel online until this many hours before the start (default 24; staff any time)",
  MANAGE_LINK_SECRET:
    "secret (at least 32 characters) that derives each reservation's manage-link token, so every email can carry the link",
  MANAGE_LINK_SECRET_PREVIOUS:
    "the secret MANAGE_LINK_SECRET replaced, during a rotation's overlap window: links derived from it keep working until it is removed",
  REMINDER_HOURS_BEFORE: "reminders go out this many hours before a booking starts (default 24)",
  MAX_HELD_SEATS_PER_CLIENT: "most seats one client address may hold unpaid at once, over all its holds (default 20)",
  MAX_HELD_SEATS_PER_EMAIL: "most seats one email address may hold unpaid at once, over all its holds (default 10)",
  DATABASE_URL: "PostgreSQL connection string (Supabase pooler or any Postgres >= 15)",
  DATABASE_POOL_MAX: "maximum connections per app instance (default 10)",
  PGLITE_DIR: "embedded database directory when DATABASE_URL is unset (default .data/pglite)",
  DATA_DIR: "directory for local files: embedded database, dry-run outbox (default .data)",
  SEED_ADMIN_EMAIL: "email of the admin account db:seed creates (default admin@example.com)",
  SEED_ADMIN_PASSWORD: "password of the seeded admin (default: generated and printed once)",
  SEED_STAFF_EMAIL: "email of the staff account db:seed creates (default staff@example.com)",
  SEED_STAFF_PASSWORD: "password of the seeded staff account (default: generated and printed once)",
  NEXT_PUBLIC_SUPABASE_URL: "Supabase project URL (auth)",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "Supabase anon/publishable key (auth)",
  SUPABASE_SERVICE_ROLE_KEY: "Supabase service-role key for admin user management (server only)",
  SUPABASE_JWT_SECRET: "Supabase JWT secret, to verify access tokens on the server",
  STRIPE_SECRET_KEY: "Stripe secret key (payments)",
  STRIPE_WEBHOOK_SECRET: "Stripe webhook signing secret for /api/webhooks/stripe",
  LATE_PAYMENT_POLICY: "what happens to a payment after its hold expired: reacquire_or_refund | refund | manual",
  PAYMENT_RECONCILE_AFTER_MINUTES:
    "reconcile re-reads checkout sessions still pending after this many minutes (default 10)",
  STAFF_ALERT_EMAIL: "optional address that receives staff alerts (late payments, failed refunds, ledger drift)",
  SMTP_URL: "SMTP connection string, e.g. smtps://user:pass@smtp.example.com:465 (or SMTP_HOST…)",
  SMTP_HOST: "SMTP host (alternative to SMTP_URL)",
  SMTP_PORT: "SMTP port (default 587)",
  SMTP_USER: "SMTP user name",
  SMTP_PASSWORD: "SMTP password",
  SMTP_SECURE: "true for implicit TLS (port 465); STARTTLS is used otherwise",
  EMAIL_FROM: 'sender address, e.g. "Booking <no-reply@example.com>"',
  EMAIL_DRY_RUN: "true to build and store emails without sending (required explicitly in production)",
  EMAIL_WEBHOOK_SECRET: "shared secret for bounce/complaint notifications on /api/webhooks/email",
  SMS_PROVIDER: "twilio | dry_run | off (default: dry_run in the embedded default, off in production)",
  TWILIO_ACCOUNT_SID: "Twilio account SID (SMS_PROVIDER=twilio)",
  TWILIO_AUTH_TOKEN: "Twilio auth token (SMS_PROVIDER=twilio)",
  TWILIO_FROM_NUMBER: "Twilio sender number in E.164 (SMS_PROVIDER=twilio)",
  RATE_LIMIT_STORE: "memory | redis | postgres (default: redis when REDIS_URL is set, memory in the embedded default)",
  REDIS_URL: "Redis connection string for rate limits shared between instances",
  RATE_LIMITS:
    "override rate-limit rules: rule=points/seconds,… (docs/security.md lists the rules); off (mocks only) disables them",
  CRON_SECRET: "bearer secret the external scheduler sends to /api/cron/* (at least 32 characters)",
  CRON_ALLOWED_USER_AGENTS: "optional comma-separated user-agent prefixes allowed on /api/cron/*",
  CRON_ALLOWED_IPS: "optional comma-separated client IPs allowed on /api/cron/*",
  CRON_IN_PROCESS: "run the job scheduler inside the app process (default: on in the embedded default)",
  SENTRY_DSN: "Sentry DSN for error tracking (server, edge and browser; docs/observability.md)",
  SENTRY_ENVIRONMENT: "Sentry environment (default NODE_ENV)",
  SENTRY_SAMPLE_RATE: "share of error events sent to Sentry, 0 to 1 (default 1)",
  SENTRY_TRACES_SAMPLE_RATE: "share of requests traced for Sentry performance, 0 to 1 (default 0: errors only)",
  ERROR_TRACKING: "sentry | off (production requires SENTRY_DSN unless set to off explicitly)",
  METRICS_TOKEN:
    "bearer token Prometheus sends to GET /api/metrics (at least 32 characters); unset: the endpoint answers 404",
  CLOCK: "system | test (test clock movable through /api/dev/clock; mocks only)",
};

export type Modes = {
  mocksAllowed: boolean;
  database: "postgres" | "pglite";
  auth: "supabase" | "emulator";
  payments: "stripe" | "emulator";
  email: "smtp" | "dry_run";
  sms: "twilio" | "dry_run" | "off";
  rateLimit: "redis" | "postgres" | "memory";
  cron: "external" | "in_process";
  errorTracking: "sentry" | "off";
  clock: "system" | "test";
};

export type EnvProblem = { variable: string; problem: string; purpose: string };

export class EnvError extends Error {
  constructor(readonly problems: EnvProblem[]) {
    super(formatProblems(problems));
    this.name = "EnvError";
  }
}

export function formatProblems(problems: EnvProblem[]): string {
  const lines = problems.map((p) => `  - ${p.variable}: ${p.problem} (${p.purpose})`);
  return [
    `Invalid configuration: ${problems.length} environment variable problem(s).`,
    ...lines,
    "Set them (see .env.example), or set ALLOW_DEV_MOCKS=true to run on the embedded default (never for real traffic).",
  ].join("\n");
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function describe(variable: string): string {
  return envDescriptions[variable as keyof Env] ?? "";
}

/**
 * The one resolver: decides each integration's mode from env. With mocks allowed, anything not configured resolves
 * to its embedded default. With mocks off, anything not configured is a problem that names the variable.
 */
export function resolveModes(env: Env): { modes: Modes; problems: EnvProblem[] } {
  const production = env.NODE_ENV === "production";
  const mocksAllowed = env.ALLOW_DEV_MOCKS ?? !production;
  const problems: EnvProblem[] = [];
  const missing = (variable: string, why = "is required") =>
    problems.push({ variable, problem: why, purpose: describe(variable) });

  const database = env.DATABASE_URL ? "postgres" : "pglite";
  if (!mocksAllowed && database === "pglite") missing("DATABASE_URL");
  if (!mocksAllowed && !env.MANAGE_LINK_SECRET) missing("MANAGE_LINK_SECRET");

  const supabaseVars = [
    "NEXT_PUBLIC_SUPABASE_URL",
    "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
  ] as const;
  const supabaseSet = supabaseVars.filter((v) => env[v] !== undefined);
  const auth = supabaseSet.length > 0 ? "supabase" : "emulator";
  if (auth === "supabase" || !mocksAllowed) {
    for (const v of supabaseVars) if (env[v] === undefined) missing(v);
    // Verifies access tokens on the server (src/server/auth/verify.ts): without it no session could be trusted. Alone
    // it does not select Supabase: the emulator signs with it when set.
    if (!env.SUPABASE_JWT_SECRET) missing("SUPABASE_JWT_SECRET");
  }

  const payments = env.STRIPE_SECRET_KEY ? "stripe" : "emulator";
  if (payments === "stripe" || !mocksAllowed) {
    if (!env.STRIPE_SECRET_KEY) missing("STRIPE_SECRET_KEY");
    if (!env.STRIPE_WEBHOOK_SECRET) missing("STRIPE_WEBHOOK_SECRET");
  }

  const smtpConfigured = Boolean(env.SMTP_URL || env.SMTP_HOST);
  let email: Modes["email"];
  if (env.EMAIL_DRY_RUN === true) email = "dry_run";
  else if (smtpConfigured) email = "smtp";
  else {
    email = "dry_run";
    if (!mocksAllowed) missing("SMTP_URL", "is required (or SMTP_HOST, or EMAIL_DRY_RUN=true explicitly)");
  }
  if (email === "smtp" && !env.EMAIL_FROM) missing("EMAIL_FROM");

  let sms: Modes["sms"] = env.SMS_PROVIDER ?? (mocksAllowed ? "dry_run" : "off");
  if (sms === "dry_run" && !mocksAllowed && env.SMS_PROVIDER !== "dry_run") sms = "off";
  if (sms === "twilio") {
    for (const v of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"] as const) {
      if (!env[v]) missing(v, "is required when SMS_PROVIDER=twilio");
    }
  }

  let rateLimit: Modes["rateLimit"] = env.RATE_LIMIT_STORE ?? (env.REDIS_URL ? "redis" : "memory");
  if (rateLimit === "redis" && !env.REDIS_URL) missing("REDIS_URL", "is required when RATE_LIMIT_STORE=redis");
  if (rateLimit === "memory" && !mocksAllowed) {
    missing("REDIS_URL", "is required (or RATE_LIMIT_STORE=postgres): a memory store is not shared between instances");
    rateLimit = "memory";
  }

  if (env.RATE_LIMITS === "off" && !mocksAllowed)
    missing("RATE_LIMITS", "off needs ALLOW_DEV_MOCKS=true: production always limits");

  const cron: Modes["cron"] = (env.CRON_IN_PROCESS ?? (mocksAllowed && !env.CRON_SECRET)) ? "in_process" : "external";
  if (!env.CRON_SECRET && !mocksAllowed) missing("CRON_SECRET");

  let errorTracking: Modes["errorTracking"] = env.ERROR_TRACKING ?? (env.SENTRY_DSN ? "sentry" : "off");
  if (errorTracking === "sentry" && !env.SENTRY_DSN) {
    missing(
      "SENTRY_DSN",
      mocksAllowed ? "is required when ERROR_TRACKING=sentry" : "is required (or ERROR_TRACKING=off explicitly)",
    );
    errorTracking = "off";
  }
  if (!mocksAllowed && !env.SENTRY_DSN && env.ERROR_TRACKING === undefined) {
    missing("SENTRY_DSN", "is required (or ERROR_TRACKING=off explicitly)");
  }

  let clock: Modes["clock"] = env.CLOCK ?? (mocksAllowed ? "test" : "system");
  if (clock === "test" && !mocksAllowed) {
    missing("CLOCK", "test clock needs ALLOW_DEV_MOCKS=true");
    clock = "system";
  }

  if (!mocksAllowed && !env.APP_BASE_URL) missing("APP_BASE_URL");

  return {
    modes: { mocksAllowed, database, auth, payments, email, sms, rateLimit, cron, errorTracking, clock },
    problems,
  };
}

export type LoadedConfig = { env: Env; modes: Modes };

/** Parses and resolves; throws EnvError listing every problem at once. Pure: the caller passes the source. */
export function loadConfig(source: Record<string, string | undefined>): LoadedConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "?");
      return { variable, problem: issue.message, purpose: describe(variable) };
    });
    // Also report what is missing, so one start lists everything.
    const partial = envSchema
      .partial()
      .safeParse(Object.fromEntries(Object.entries(source).filter(([k]) => !problems.some((p) => p.variable === k))));
    if (partial.success) {
      const resolved = resolveModes(partial.data as Env);
      for (const p of resolved.problems) if (!problems.some((q) => q.variable === p.variable)) problems.push(p);
    }
    throw new EnvError(problems);
  }
  const { modes, problems } = resolveModes(parsed.data);
  if (problems.length > 0) throw new EnvError(problems);
  return { env: parsed.data, modes };
}

let cached: LoadedConfig | undefined;

export function getConfig(): LoadedConfig {
  cached ??= loadConfig(process.env);
  return cached;
}

export const getEnv = (): Env => getConfig().env;
export const getModes = (): Modes => getConfig().modes;

/** Tests only: forget the parsed config so the next read sees process.env again. */
export function resetConfigForTests(): void {
  cached = undefined;
}

/** Origin for links in emails and redirects: APP_BASE_URL, never the request's Host header. */
export function appBaseUrl(): string {
  return (getEnv().APP_BASE_URL ?? "http://localhost:3000").replace(/\/+$/, "");
}
