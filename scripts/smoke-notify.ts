/**
 * The failure notice of `npm run smoke -- --notify`: a short Slack-compatible message (`{"text": …}`, which Slack
 * incoming webhooks, Mattermost, Rocket.Chat and most chat bridges accept) POSTed to SMOKE_ALERT_WEBHOOK_URL.
 * It names the failing checks, the base URL (no credentials, query or fragment) and the version /api/health reported.
 * Nothing else: no response bodies, no headers, no tokens. The webhook URL itself is a secret and is never printed.
 */
import type { CheckResult } from "./smoke-checks";

export const WEBHOOK_VARIABLE = "SMOKE_ALERT_WEBHOOK_URL";

/** Longest detail kept per failing check, and most failing checks listed, so the notice stays a notice. */
const MAX_DETAIL = 160;
const MAX_LISTED = 10;

export type SmokeAlert = { text: string };

export type SmokeOutcome =
  { kind: "failed"; results: CheckResult[]; version: string | undefined } | { kind: "unreachable"; reason: string };

/** SMOKE_ALERT_WEBHOOK_URL as a URL, or the reason it is not usable (unset, not a URL, not http/https). */
export function parseWebhookUrl(raw: string | undefined): { ok: true; url: URL } | { ok: false; reason: string } {
  const value = raw?.trim();
  if (!value) return { ok: false, reason: `${WEBHOOK_VARIABLE} is not set` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: `${WEBHOOK_VARIABLE} is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, reason: `${WEBHOOK_VARIABLE} must be an http or https URL, not ${url.protocol}` };
  }
  return { ok: true, url };
}

/** The base URL as it may appear in a notice: scheme, host, port and path; user info, query and fragment dropped. */
export function publicBaseUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(invalid base URL)";
  }
}

export function buildSmokeAlert(baseUrl: string, outcome: SmokeOutcome): SmokeAlert {
  const where = publicBaseUrl(baseUrl);
  if (outcome.kind === "unreachable") {
    return { text: `:rotating_light: Smoke FAILED: ${where} could not be reached (${clip(outcome.reason)}).` };
  }
  const failed = outcome.results.filter((r) => !r.ok);
  const version = outcome.version ?? "unknown";
  const lines = failed.slice(0, MAX_LISTED).map((r) => `• ${r.check}: ${clip(r.detail)}`);
  if (failed.length > MAX_LISTED) lines.push(`• … and ${failed.length - MAX_LISTED} more`);
  return {
    text: [
      `:rotating_light: Smoke FAILED: ${failed.length}/${outcome.results.length} check(s) failed against ${where} (version ${version}).`,
      ...lines,
      "Triage: docs/smoke.md",
    ].join("\n"),
  };
}

/** POSTs the notice; resolves to undefined on a 2xx answer, or to a printable reason (never the URL's secret part). */
export async function postSmokeAlert(url: URL, alert: SmokeAlert, timeoutMs = 10_000): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alert),
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok ? undefined : `${url.origin} answered HTTP ${res.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = error instanceof Error ? error.name : "";
    const reason =
      name === "TimeoutError" || name === "AbortError"
        ? "no answer in time"
        : (cause?.code ?? cause?.message ?? "network error");
    return `${url.origin} could not be reached (${reason})`;
  }
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_DETAIL ? `${oneLine.slice(0, MAX_DETAIL - 1)}…` : oneLine;
}
