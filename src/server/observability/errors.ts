import { getModes } from "@/lib/env";
import { logger } from "@/lib/logger";

/**
 * The one place unexpected errors are reported, so capture calls are identical in every mode. Today every report is
 * a structured log line carrying the mode in force; forwarding to Sentry when ERROR_TRACKING=sentry is not wired yet
 * (README, "What works").
 */
export type ErrorContext = { requestId?: string; route?: string; job?: string };

export function reportError(error: unknown, context: ErrorContext = {}): void {
  let mode: string;
  try {
    mode = getModes().errorTracking;
  } catch {
    mode = "off";
  }
  logger.error({ event: "error.reported", errorTracking: mode, err: error, ...context }, "unexpected error");
}
