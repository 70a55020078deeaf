/**
 * `npm run smoke`: checks a running server (BASE_URL, default http://localhost:3000) and prints one row per check.
 * Exit code 0 when every check passes, 1 when any fails, 2 when the server cannot be reached. Read-only: it never
 * resets or writes data. Triage for each failing row: docs/smoke.md.
 */
import { formatResults, runSmokeChecks, ServerUnreachableError } from "./smoke-checks";

const baseUrl = (process.env.BASE_URL ?? "http://localhost:3000").replace(/\/+$/, "");
const started = performance.now();

console.log(`Smoke checks against ${baseUrl}\n`);

try {
  const results = await runSmokeChecks(baseUrl);
  console.log(formatResults(results));
  const failed = results.filter((r) => !r.ok).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n${results.length - failed}/${results.length} passed in ${seconds} s`);
  process.exitCode = failed > 0 ? 1 : 0;
} catch (error) {
  if (error instanceof ServerUnreachableError) {
    console.error(
      `${error.message}\nIs the server running? Start it with \`npm run dev\` (port 3000), or point BASE_URL at it, e.g. BASE_URL=http://localhost:3100 npm run smoke.`,
    );
    process.exitCode = 2;
  } else {
    throw error;
  }
}
