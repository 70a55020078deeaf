import type { ErrorEvent, init } from "@sentry/nextjs";
import { scrubBreadcrumb, scrubEvent } from "./scrub";

/**
 * The Sentry options every runtime shares (server, edge, browser): privacy defaults and the scrubber, the release and
 * environment, sampling, and the tags each event must carry. Runtime-specific code only supplies the values.
 */
export type SentrySettings = {
  dsn: string;
  environment: string;
  release?: string;
  sampleRate: number;
  tracesSampleRate: number;
  /** Tags on every event of this process: the integration modes (`mode.<name>`). */
  tags: Record<string, string>;
};

/**
 * The release name: APP_VERSION when set, else the git commit the build was made from (next.config.ts bakes it in as
 * SLOTBOOK_BUILD_COMMIT), else none.
 */
export function releaseName(appVersion: string | undefined): string | undefined {
  const commit = process.env.SLOTBOOK_BUILD_COMMIT;
  return appVersion || (commit ? commit : undefined);
}

type InitOptions = NonNullable<Parameters<typeof init>[0]>;

/**
 * What the SDK may collect at all (v11's `dataCollection`, whose defaults collect everything): no user info (so no IP
 * inference, also for sessions), no cookies, no bodies, no local variables, no query texts or payloads of
 * integrations, and only descriptive request headers. URLs keep their query: the scrubber redacts the secret
 * parameters in beforeSend. Decision 0017.
 */
export const DATA_COLLECTION: InitOptions["dataCollection"] = {
  userInfo: false,
  cookies: false,
  httpHeaders: { request: { allow: ["content-type", "content-length", "accept", "x-request-id"] }, response: false },
  httpBodies: [],
  urlQueryParams: true,
  graphQL: { document: false, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
};

export function sentryInitOptions(settings: SentrySettings): InitOptions {
  return {
    dsn: settings.dsn,
    environment: settings.environment,
    ...(settings.release ? { release: settings.release } : {}),
    sampleRate: settings.sampleRate,
    ...(settings.tracesSampleRate > 0 ? { tracesSampleRate: settings.tracesSampleRate } : {}),
    dataCollection: DATA_COLLECTION,
    sendClientReports: false,
    beforeSend: (event: ErrorEvent) => tagEvent(scrubEvent(event), settings),
    beforeBreadcrumb: scrubBreadcrumb,
  };
}

/**
 * The tags every event carries: `request_id` and `route` (from the scope that captured it, else from what Next.js
 * attached: the request's x-request-id, the route pattern), `release`, `environment` and the mode tags.
 */
function tagEvent(event: ErrorEvent, settings: SentrySettings): ErrorEvent {
  const tags = { ...settings.tags, ...(event.tags ?? {}) };
  const nextjs = event.contexts?.nextjs as { route_path?: unknown; router_path?: unknown } | undefined;
  const route =
    tags.route ?? nextjs?.route_path ?? nextjs?.router_path ?? event.transaction ?? pathOf(event.request?.url);
  if (typeof route === "string" && route) tags.route = route;
  const requestId = tags.request_id ?? event.request?.headers?.["x-request-id"];
  if (typeof requestId === "string" && requestId) tags.request_id = requestId;
  tags.environment = settings.environment;
  if (event.release ?? settings.release) tags.release = (event.release ?? settings.release) as string;
  event.tags = tags;
  return event;
}

/** The path of a (scrubbed) URL: a browser event's page when nothing names its route. */
function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, "http://placeholder.invalid").pathname;
  } catch {
    return undefined;
  }
}
