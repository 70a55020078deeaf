/**
 * `npm run test:integration:pooler`: the suites that matter most under a transaction pooler (booking, payments, RLS,
 * concurrency, admin) a second time, on PostgreSQL only, with the app's connections going through PgBouncer in
 * transaction mode (TEST_POOLER_DATABASE_URL; scripts/ci/pgbouncer.sh starts one). Skipped, with a note, when no
 * pooler or no PostgreSQL is configured, as the PostgreSQL variants are without TEST_DATABASE_URL.
 * See docs/prod-parity-audit.md.
 */
import { spawnSync } from "node:child_process";

/** vitest file filters (substrings of the path): tests/integration/{booking*,payments*,rls*,*concurrency*,admin*}. */
export const POOLER_SUITES = ["integration/booking", "payments", "integration/rls", "concurrency", "integration/admin"];

const pooler = process.env.TEST_POOLER_DATABASE_URL?.trim();
const direct = process.env.TEST_DATABASE_URL?.trim();
if (!pooler || !direct) {
  const missing = [!pooler && "TEST_POOLER_DATABASE_URL", !direct && "TEST_DATABASE_URL"].filter(Boolean).join(" and ");
  console.log(`test:integration:pooler skipped: ${missing} not set (see docs/prod-parity-audit.md)`);
  process.exit(0);
}

const result = spawnSync("npx", ["vitest", "run", "--project", "integration", ...POOLER_SUITES], {
  stdio: "inherit",
  env: { ...process.env, TEST_VIA_POOLER: "1" },
});
process.exit(result.status ?? 1);
