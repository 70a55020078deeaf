import "server-only";
import { AppError } from "@/lib/errors";
import { consume, type LimitOutcome } from "@/server/security/rate-limit";
import type { RuleName } from "@/server/security/rate-limit-rules";

/**
 * The sign-in limits as the forms and /auth/confirm apply them (the rules themselves are in
 * src/server/security/rate-limit-rules.ts, docs/auth.md lists which applies where). They sit in the app, in front of
 * Supabase Auth, so they hold whichever Auth is behind: the emulator or a real project.
 */

/**
 * Counts one attempt against each rule for its subject, in order, and returns the first refusal (the rules after it
 * are not counted), or null when every rule lets the attempt through. A rule whose store is down and that fails
 * closed throws AppError dependency_unavailable (see isUnavailable).
 */
export async function firstRefusal(
  checks: readonly (readonly [RuleName, string | undefined])[],
): Promise<LimitOutcome | null> {
  for (const [rule, subject] of checks) {
    const outcome = await consume(rule, subject);
    if (!outcome.allowed) return outcome;
  }
  return null;
}

/** Whole minutes until a refused attempt may be retried (at least 1), as the forms say it. */
export function retryMinutes(outcome: Pick<LimitOutcome, "resetSeconds">): number {
  return Math.max(1, Math.ceil(outcome.resetSeconds / 60));
}

/** The limiter's store is down and the rule fails closed: the form says "unavailable, try again shortly". */
export function isUnavailable(error: unknown): boolean {
  return error instanceof AppError && error.code === "dependency_unavailable";
}
