import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { envDescriptions, envSchema, EnvError, loadConfig, type EnvProblem, type Modes } from "./env";

const embedded: Modes = {
  mocksAllowed: true,
  database: "pglite",
  auth: "emulator",
  payments: "emulator",
  email: "dry_run",
  sms: "dry_run",
  rateLimit: "memory",
  cron: "in_process",
  errorTracking: "off",
  clock: "test",
};

/** Everything production needs, with mocks off. */
const production = {
  NODE_ENV: "production",
  APP_BASE_URL: "https://book.example.com",
  DATABASE_URL: "postgres://app:secret@db.example.com:5432/app",
  MANAGE_LINK_SECRET: "m".repeat(32),
  NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
  SUPABASE_JWT_SECRET: "j".repeat(32),
  STRIPE_SECRET_KEY: "sk_live_123",
  STRIPE_WEBHOOK_SECRET: "whsec_123",
  SMTP_URL: "smtps://user:pass@smtp.example.com:465",
  EMAIL_FROM: "Booking <no-reply@example.com>",
  REDIS_URL: "rediss://cache.example.com:6380",
  CRON_SECRET: "c".repeat(32),
  SENTRY_DSN: "https://key@o1.ingest.sentry.io/1",
};

function problemsOf(source: Record<string, string | undefined>): EnvProblem[] {
  try {
    loadConfig(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error("expected loadConfig to throw an EnvError");
}

const variablesOf = (source: Record<string, string | undefined>) =>
  problemsOf(source)
    .map((p) => p.variable)
    .sort();

describe("loadConfig / resolveModes", () => {
  it("resolves every integration to its embedded default with no env outside production", () => {
    for (const NODE_ENV of [undefined, "development", "test"]) {
      const { env, modes } = loadConfig({ NODE_ENV });
      expect(modes).toEqual(embedded);
      expect(env).toMatchObject({
        BUSINESS_TIMEZONE: "Asia/Tokyo",
        DEFAULT_CURRENCY: "JPY",
        PGLITE_DIR: ".data/pglite",
      });
    }
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", STRIPE_SECRET_KEY: "  ", ALLOW_DEV_MOCKS: "" }).modes).toEqual(embedded);
  });

  it("fails in production without ALLOW_DEV_MOCKS, listing every missing variable once, with its purpose", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    const variables = problems.map((p) => p.variable);

    expect(variables.sort()).toEqual(
      [
        "APP_BASE_URL",
        "CRON_SECRET",
        "DATABASE_URL",
        "MANAGE_LINK_SECRET",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        "NEXT_PUBLIC_SUPABASE_URL",
        "REDIS_URL",
        "SENTRY_DSN",
        "SMTP_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "SUPABASE_JWT_SECRET",
        "SUPABASE_SERVICE_ROLE_KEY",
      ].sort(),
    );
    for (const p of problems) expect(p.purpose, p.variable).not.toBe("");
  });

  it("puts every problem into one readable message", () => {
    let message = "";
    try {
      loadConfig({ NODE_ENV: "production", ALLOW_DEV_MOCKS: "false" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: 13 environment variable problem\(s\)\./);
    for (const variable of ["DATABASE_URL", "STRIPE_SECRET_KEY", "CRON_SECRET", "APP_BASE_URL"]) {
      expect(message).toContain(`  - ${variable}: is required`);
    }
    expect(message).toContain(".env.example");
  });

  it.each(["true", "1"])("runs on the embedded default in production with ALLOW_DEV_MOCKS=%s", (value) => {
    expect(loadConfig({ NODE_ENV: "production", ALLOW_DEV_MOCKS: value }).modes).toEqual(embedded);
  });

  it("resolves every real integration from a complete production configuration", () => {
    expect(loadConfig(production).modes).toEqual({
      mocksAllowed: false,
      database: "postgres",
      auth: "supabase",
      payments: "stripe",
      email: "smtp",
      sms: "off",
      rateLimit: "redis",
      cron: "external",
      errorTracking: "sentry",
      clock: "system",
    });
  });

  it("accepts the explicit production alternatives: EMAIL_DRY_RUN, RATE_LIMIT_STORE=postgres, ERROR_TRACKING=off", () => {
    const { SMTP_URL: _smtp, EMAIL_FROM: _from, REDIS_URL: _redis, SENTRY_DSN: _dsn, ...rest } = production;
    const { modes } = loadConfig({
      ...rest,
      EMAIL_DRY_RUN: "true",
      RATE_LIMIT_STORE: "postgres",
      ERROR_TRACKING: "off",
    });
    expect(modes).toMatchObject({ email: "dry_run", rateLimit: "postgres", errorTracking: "off" });
  });

  it("reports invalid values by variable name, together with what is missing", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      DATABASE_URL: "mysql://db.example.com/app",
      STRIPE_SECRET_KEY: "pk_test_123",
      CRON_SECRET: "short",
      BUSINESS_TIMEZONE: "Mars/Olympus_Mons",
      DATABASE_POOL_MAX: "0",
      SMTP_PORT: "smtp",
      APP_BASE_URL: "not a url",
    });
    const byVariable = new Map(problems.map((p) => [p.variable, p.problem]));

    expect(byVariable.get("DATABASE_URL")).toMatch(/postgres:\/\//);
    expect(byVariable.get("STRIPE_SECRET_KEY")).toMatch(/sk_/);
    expect(byVariable.get("CRON_SECRET")).toMatch(/32/);
    expect(byVariable.get("BUSINESS_TIMEZONE")).toMatch(/IANA/);
    expect(byVariable.get("DATABASE_POOL_MAX")).toMatch(/at least 1/);
    expect(byVariable.get("SMTP_PORT")).toMatch(/whole number/);
    expect(byVariable.has("APP_BASE_URL")).toBe(true);
    // Missing ones are listed in the same error, and nothing twice.
    expect(byVariable.get("STRIPE_WEBHOOK_SECRET")).toBe("is required");
    expect(byVariable.get("REDIS_URL")).toMatch(/is required/);
    expect(problems).toHaveLength(byVariable.size);
  });

  it.each([
    ["ALLOW_DEV_MOCKS", "yes"],
    ["NODE_ENV", "staging"],
    ["LOG_LEVEL", "verbose"],
    ["SMS_PROVIDER", "carrier-pigeon"],
    ["DEFAULT_CURRENCY", "yen"],
    ["REDIS_URL", "http://cache"],
    ["SEED_ADMIN_PASSWORD", "short"],
    ["SUPABASE_JWT_SECRET", "too-short"],
  ])("rejects %s=%s outside production too", (variable, value) => {
    expect(variablesOf({ [variable]: value })).toContain(variable);
  });

  it.each([
    ["a Stripe key without its webhook secret", { STRIPE_SECRET_KEY: "sk_test_123" }, ["STRIPE_WEBHOOK_SECRET"]],
    [
      "one Supabase variable without the others",
      { NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co" },
      ["NEXT_PUBLIC_SUPABASE_ANON_KEY", "SUPABASE_JWT_SECRET", "SUPABASE_SERVICE_ROLE_KEY"],
    ],
    [
      "a real Supabase project without the JWT secret that verifies its tokens",
      {
        NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
        NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon",
        SUPABASE_SERVICE_ROLE_KEY: "service",
      },
      ["SUPABASE_JWT_SECRET"],
    ],
    ["SMTP without a sender", { SMTP_HOST: "smtp.example.com" }, ["EMAIL_FROM"]],
    [
      "SMS_PROVIDER=twilio without credentials",
      { SMS_PROVIDER: "twilio" },
      ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"],
    ],
    ["RATE_LIMIT_STORE=redis without REDIS_URL", { RATE_LIMIT_STORE: "redis" }, ["REDIS_URL"]],
    ["ERROR_TRACKING=sentry without a DSN", { ERROR_TRACKING: "sentry" }, ["SENTRY_DSN"]],
  ])("reports a half-done configuration even while mocks are allowed: %s", (_case, source, expected) => {
    expect(variablesOf(source)).toEqual(expected);
  });

  it("refuses the test clock without mocks", () => {
    expect(variablesOf({ ...production, CLOCK: "test" })).toEqual(["CLOCK"]);
    expect(loadConfig({ CLOCK: "system" }).modes.clock).toBe("system");
  });

  it("follows the explicit cron and email switches", () => {
    expect(loadConfig({ CRON_SECRET: "c".repeat(32) }).modes.cron).toBe("external");
    expect(loadConfig({ CRON_SECRET: "c".repeat(32), CRON_IN_PROCESS: "true" }).modes.cron).toBe("in_process");
    expect(loadConfig({ SMTP_URL: "smtp://localhost:1025", EMAIL_FROM: "a@example.com" }).modes.email).toBe("smtp");
    expect(loadConfig({ SMTP_URL: "smtp://localhost:1025", EMAIL_DRY_RUN: "true" }).modes.email).toBe("dry_run");
  });

  it("parses numbers with their defaults and bounds", () => {
    expect(loadConfig({}).env).toMatchObject({ DATABASE_POOL_MAX: 10, SMTP_PORT: 587 });
    expect(loadConfig({ DATABASE_POOL_MAX: "25", SMTP_PORT: "465" }).env).toMatchObject({
      DATABASE_POOL_MAX: 25,
      SMTP_PORT: 465,
    });
    expect(variablesOf({ DATABASE_POOL_MAX: "101" })).toEqual(["DATABASE_POOL_MAX"]);
  });

  it("describes every variable of the schema", () => {
    for (const variable of Object.keys(envSchema.shape)) {
      expect(envDescriptions[variable as keyof typeof envDescriptions], variable).toBeTruthy();
    }
  });
});

describe(".env.example", () => {
  const file = path.resolve(process.cwd(), ".env.example");

  /** Variables documented as `NAME=` or `# NAME=` at the start of a line. */
  function documentedVariables(text: string): string[] {
    const names = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line);
      if (match?.[1]) names.add(match[1]);
    }
    return [...names].sort();
  }

  it("exists at the repository root", () => {
    expect(existsSync(file), `${file} is missing: it must document every variable of envSchema`).toBe(true);
  });

  it("documents exactly the variables of envSchema", () => {
    const documented = existsSync(file) ? documentedVariables(readFileSync(file, "utf8")) : [];
    const schema = Object.keys(envSchema.shape).sort();
    const missingFromExample = schema.filter((v) => !documented.includes(v));
    const unknownToSchema = documented.filter((v) => !schema.includes(v));

    expect(missingFromExample, "in envSchema (src/lib/env.ts) but not documented in .env.example").toEqual([]);
    expect(unknownToSchema, "documented in .env.example but not read by envSchema (src/lib/env.ts)").toEqual([]);
  });
});
