import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const fromRoot = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Two projects:
 *   unit         src/**\/*.test.ts next to the code, and scripts/**\/*.test.ts (CLI scripts run in process); no database.
 *   integration  tests/integration/**\/*.test.ts against a freshly migrated database per file: PGlite always, and
 *                PostgreSQL too when TEST_DATABASE_URL is set (tests/helpers/db.ts, tests/setup/global-db.ts).
 * A console.error during a test fails it unless the test expects it (tests/setup/console-guard.ts).
 */
export default defineConfig({
  resolve: {
    alias: {
      "@/": fromRoot("./src/"),
      "server-only": fromRoot("./tests/stubs/server-only.ts"),
    },
  },
  test: {
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
          environment: "node",
          setupFiles: ["tests/setup/console-guard.ts"],
          // `vitest run` with both projects: unit first, then integration (which has its own worker limit).
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          // Each file holds one or two in-memory databases; two at a time suits a 2-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ["tests/setup/global-db.ts"],
          setupFiles: ["tests/setup/console-guard.ts", "tests/setup/integration.ts"],
        },
      },
    ],
  },
});
