import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { blankIntegrationEnv, E2E_DATA_DIR, generousLimitsEnv } from "./tests/e2e/support/server-env";

/**
 * E2E against a production build (`npm run build` first; `npm test` does it) served by `next start` on its own port,
 * so it never collides with a dev server on 3000. Mocks allowed, fresh embedded database under .data/e2e.
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const ci = Boolean(process.env.CI);

/** Browsers are not downloaded: the system's Chromium (Debian package) is used when present. */
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

const resetDataDir = `node -e "require('node:fs').rmSync('${E2E_DATA_DIR}', { recursive: true, force: true })"`;

/** The system Chromium, headless, with the flags this sandbox needs. */
const browser = {
  ...devices["Desktop Chrome"],
  headless: true,
  launchOptions: {
    ...(systemChromium ? { executablePath: systemChromium } : {}),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  },
};

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: ci,
  retries: ci ? 1 : 0,
  workers: 2,
  reporter: ci ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    // Everything but the journeys that move the shared test clock or pause webhook delivery, in parallel.
    { name: "chromium", use: browser, testIgnore: /clock\.spec\.ts$/ },
    // Those run alone, after the rest: a clock moved 16 minutes ahead (or webhooks held back) under a parallel test
    // would expire its hold or stall its payment.
    {
      name: "clock",
      use: browser,
      testMatch: /clock\.spec\.ts$/,
      dependencies: ["chromium"],
    },
  ],
  webServer: {
    command: `${resetDataDir} && npx next start --hostname 127.0.0.1 --port ${port}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: !ci,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      ...blankIntegrationEnv(),
      ...generousLimitsEnv(),
      ALLOW_DEV_MOCKS: "true",
      // Links the app builds (manage URL, payment step) point at this server, as APP_BASE_URL does in production.
      APP_BASE_URL: baseURL,
      DATA_DIR: E2E_DATA_DIR,
      PGLITE_DIR: `${E2E_DATA_DIR}/pglite`,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
