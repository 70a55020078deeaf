/**
 * `npm run smoke [-- --notify]`: checks a running server (BASE_URL, default http://localhost:3000) and prints one
 * row per check. Exit code 0 when every check passes, 1 when any fails, 2 when the server cannot be reached, 3 on bad
 * arguments or configuration. Read-only: it never resets or writes data. With --notify, any failure is also POSTed
 * to SMOKE_ALERT_WEBHOOK_URL (scripts/smoke-notify.ts). Triage for each failing row: docs/smoke.md.
 */
import { runSmokeCli } from "./smoke-cli";

process.exitCode = await runSmokeCli(process.argv.slice(2), process.env);
