/**
 * `npm run smoke [-- --notify]` as a function (scripts/smoke.ts calls it), so scripts/smoke.test.ts can run the real
 * command line in process against local servers. Returns the exit code: 0 every check passed, 1 a check failed,
 * 2 the server could not be reached, 3 bad arguments or configuration (nothing was checked).
 */
import { formatResults, runSmoke, ServerUnreachableError, type SmokeOptions } from "./smoke-checks";
import { buildSmokeAlert, parseWebhookUrl, postSmokeAlert, WEBHOOK_VARIABLE, type SmokeOutcome } from "./smoke-notify";

export type SmokeIo = { out: (line: string) => void; err: (line: string) => void };

const USAGE = `Usage: npm run smoke [-- --notify]
  BASE_URL                  server to check (default http://localhost:3000)
  --notify                  on any failure, POST a summary to ${WEBHOOK_VARIABLE} (http/https, Slack-compatible)`;

export async function runSmokeCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: SmokeIo = { out: console.log, err: console.error },
  options: SmokeOptions = {},
): Promise<number> {
  let notify = false;
  for (const arg of argv) {
    if (arg === "--notify") notify = true;
    else if (arg === "--help" || arg === "-h") {
      io.out(USAGE);
      return 0;
    } else {
      io.err(`Unknown argument ${JSON.stringify(arg)}.\n${USAGE}`);
      return 3;
    }
  }

  let webhook: URL | undefined;
  if (notify) {
    // Checked before anything runs: a post-deploy job that cannot send its notice must fail loudly, not pass quietly.
    const parsed = parseWebhookUrl(env[WEBHOOK_VARIABLE]);
    if (!parsed.ok) {
      io.err(`--notify: ${parsed.reason}; nothing was checked.`);
      return 3;
    }
    webhook = parsed.url;
  }

  const baseUrl = (env.BASE_URL?.trim() || "http://localhost:3000").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/i.test(baseUrl) || !URL.canParse(baseUrl)) {
    io.err(`BASE_URL must be an http or https URL (got ${JSON.stringify(baseUrl)}); nothing was checked.`);
    return 3;
  }
  const started = performance.now();
  io.out(`Smoke checks against ${baseUrl}\n`);

  let code: number;
  let outcome: SmokeOutcome | undefined;
  try {
    const { results, version } = await runSmoke(baseUrl, options);
    io.out(formatResults(results));
    const failed = results.filter((r) => !r.ok).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.out(`\n${results.length - failed}/${results.length} passed in ${seconds} s`);
    code = failed > 0 ? 1 : 0;
    if (failed > 0) outcome = { kind: "failed", results, version };
  } catch (error) {
    if (!(error instanceof ServerUnreachableError)) throw error;
    io.err(
      `${error.message}\nIs the server running? Start it with \`npm run dev\` (port 3000), or point BASE_URL at it, e.g. BASE_URL=http://localhost:3100 npm run smoke.`,
    );
    code = 2;
    outcome = { kind: "unreachable", reason: error.reason };
  }

  if (webhook && outcome) {
    const problem = await postSmokeAlert(webhook, buildSmokeAlert(baseUrl, outcome));
    // The smoke's own exit code stands either way; a lost notice is reported, never swallowed.
    if (problem) io.err(`--notify: the failure notice was NOT delivered: ${problem}.`);
    else io.out(`--notify: failure notice sent to ${webhook.origin}.`);
  }
  return code;
}
