import "server-only";
import * as Sentry from "@sentry/nextjs";
import { getConfig, type LoadedConfig } from "@/lib/env";
import { logger } from "@/lib/logger";
import { releaseName, sentryInitOptions, type SentrySettings } from "@/lib/observability/sentry-options";

/**
 * Sentry on the server and the edge (src/instrumentation.ts calls initErrorTracking once per runtime, so this module
 * imports nothing from node:*). One path in every mode: with ERROR_TRACKING=sentry the real SDK is initialised with
 * the DSN from the env schema; with mode `off` it is not initialised at all, so every capture call is the SDK's own
 * no-op. Events are scrubbed before they leave (src/lib/observability/scrub.ts, decision 0017).
 */
export function sentrySettings(config: LoadedConfig): SentrySettings | null {
  const { env, modes } = config;
  if (modes.errorTracking !== "sentry" || !env.SENTRY_DSN) return null;
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(modes)) tags[`mode.${name}`] = String(value);
  return {
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
    release: releaseName(env.APP_VERSION),
    sampleRate: env.SENTRY_SAMPLE_RATE,
    tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE,
    tags,
  };
}

/** Initialises the SDK for this runtime when error tracking is on; returns whether it did. */
export function initErrorTracking(runtime: "nodejs" | "edge", config: LoadedConfig = getConfig()): boolean {
  const settings = sentrySettings(config);
  if (!settings) return false;
  Sentry.init(sentryInitOptions(settings));
  logger.info(
    { event: "error_tracking.started", runtime, environment: settings.environment, release: settings.release },
    "Sentry error tracking initialised",
  );
  return true;
}

/**
 * What the browser SDK needs (src/instrumentation-client.ts), handed over at run time in a <meta> tag by the root
 * layout, so one build serves any DSN and no NEXT_PUBLIC_ variable is baked in. Null while error tracking is off: the
 * browser SDK then stays uninitialised too. A DSN is public by design (it only allows sending events).
 */
export type BrowserErrorTracking = Omit<SentrySettings, "tags"> & { requestId?: string };

export function browserErrorTracking(
  requestId?: string,
  config: LoadedConfig = getConfig(),
): BrowserErrorTracking | null {
  const settings = sentrySettings(config);
  if (!settings) return null;
  const { tags: _tags, ...rest } = settings;
  return { ...rest, ...(requestId ? { requestId } : {}) };
}
