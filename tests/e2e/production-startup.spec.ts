import { expect, test } from "@playwright/test";
import { freePort, startProduction, stop, STARTUP_TIMEOUT_MS, waitUntilServing } from "./support/processes";

/**
 * The production build started the way an operator would: with no configuration it must refuse to start and name
 * every missing variable; fully configured with mocks off, the development surface must not exist. These servers
 * are started here (not by the config's webServer) because each needs its own environment.
 */

/** Every variable resolveModes() (src/lib/env.ts) requires in production with mocks off. */
const REQUIRED_IN_PRODUCTION = [
  "DATABASE_URL",
  "MANAGE_LINK_SECRET",
  "NEXT_PUBLIC_SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_JWT_SECRET",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "SMTP_URL",
  "REDIS_URL",
  "CRON_SECRET",
  "SENTRY_DSN",
  "APP_BASE_URL",
];

test.describe("production build", () => {
  // A fresh server migrates its database before it answers: the wait may use all of STARTUP_TIMEOUT_MS.
  test.describe.configure({ timeout: STARTUP_TIMEOUT_MS + 30_000 });
  test("with no env it exits at startup and lists every missing variable", async () => {
    const started = startProduction(await freePort());
    try {
      const code = await Promise.race([
        started.exited,
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STARTUP_TIMEOUT_MS)),
      ]);
      expect(code, `still running after ${STARTUP_TIMEOUT_MS} ms:\n${started.output()}`).not.toBe("timeout");
      expect(code, "exit code").toEqual(expect.any(Number));
      expect(code, "exit code").not.toBe(0);
      const output = started.output();
      // One message that names every problem, not the first one only.
      expect(output.match(/Invalid configuration:/g) ?? [], output).toHaveLength(1);
      for (const variable of REQUIRED_IN_PRODUCTION) expect(output, variable).toContain(`- ${variable}:`);
    } finally {
      await stop(started);
    }
  });

  test("configured with mocks off, the dev surface does not exist", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = startProduction(port, {
      ALLOW_DEV_MOCKS: "false",
      // Syntactically valid values; nothing listens on port 1, so the database is unreachable.
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
      MANAGE_LINK_SECRET: "e2e-manage-link-secret-0123456789abcdef",
      NEXT_PUBLIC_SUPABASE_URL: "https://x.supabase.co",
      NEXT_PUBLIC_SUPABASE_ANON_KEY: "x",
      SUPABASE_SERVICE_ROLE_KEY: "x",
      SUPABASE_JWT_SECRET: "e2e-supabase-jwt-secret-0123456789abcdef",
      STRIPE_SECRET_KEY: "sk_test_x",
      STRIPE_WEBHOOK_SECRET: "whsec_x",
      SMTP_URL: "smtp://127.0.0.1:2525",
      EMAIL_FROM: "a@example.com",
      REDIS_URL: "redis://127.0.0.1:6379",
      CRON_SECRET: "e2e-cron-secret-0123456789abcdef0123456789",
      ERROR_TRACKING: "off",
      // The host the requests below use: with mocks off only APP_BASE_URL's host is answered (ALLOWED_BASE_HOSTS).
      APP_BASE_URL: base,
      LOG_LEVEL: "warn",
    });
    try {
      await waitUntilServing(base, started);

      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(503);
      expect(health.headers.get("retry-after")).toBe("5");
      const body = (await health.json()) as { db: { ok: boolean }; modes: { mocksAllowed: boolean; database: string } };
      expect(body.db.ok).toBe(false);
      expect(body.modes).toMatchObject({ mocksAllowed: false, database: "postgres" });

      for (const [method, pathname] of [
        ["GET", "/api/dev/clock"],
        ["POST", "/api/dev/clock"],
        ["POST", "/api/dev/reset"],
      ] as const) {
        const res = await fetch(`${base}${pathname}`, { method });
        expect(res.status, `${method} ${pathname}`).toBe(404);
        expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        const problem = (await res.json()) as { code: string; requestId: string };
        expect(problem.code).toBe("not_found");
        expect(problem.requestId).toBe(res.headers.get("x-request-id"));
      }

      for (const pathname of ["/dev", "/dev/anything"]) {
        expect((await fetch(`${base}${pathname}`)).status, pathname).toBe(404);
      }

      // The query is valid, and the mock check comes before any database read: 403, not 503.
      const mock = await fetch(`${base}/api/slots?serviceId=00000000-0000-4000-8000-000000000000&source=mock`);
      expect(mock.status).toBe(403);
      expect(mock.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await mock.json()) as { code: string }).code).toBe("mocks_disabled");
    } finally {
      await stop(started);
    }
    expect(started.output()).not.toContain("Invalid configuration");
  });
});
