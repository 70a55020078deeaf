import * as Sentry from "@sentry/nextjs";
import { sentryInitOptions } from "@/lib/observability/sentry-options";

/**
 * Browser error tracking. The server hands its settings over at run time in <meta name="slotbook-error-tracking">
 * (src/app/layout.tsx, browserErrorTracking in src/server/observability/sentry.ts): no meta tag, error tracking is
 * off and the SDK is not initialised. Events go through the same scrubber as the server's.
 */
type BrowserSettings = {
  dsn: string;
  environment: string;
  release?: string;
  sampleRate: number;
  tracesSampleRate: number;
  requestId?: string;
};

function readSettings(): BrowserSettings | null {
  const content = document.querySelector('meta[name="slotbook-error-tracking"]')?.getAttribute("content");
  if (!content) return null;
  try {
    const parsed = JSON.parse(content) as BrowserSettings;
    return typeof parsed.dsn === "string" ? parsed : null;
  } catch {
    return null;
  }
}

const settings = readSettings();
if (settings) {
  Sentry.init(
    sentryInitOptions({
      ...settings,
      tags: { runtime: "browser", ...(settings.requestId ? { request_id: settings.requestId } : {}) },
    }),
  );
}

export const onRouterTransitionStart = Sentry.captureRouterTransitionStart;
