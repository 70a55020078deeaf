import "server-only";
import { getModes } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * /api/dev/** and /dev/** exist only while mocks are allowed. proxy.ts answers 404 first; every dev handler calls
 * this too, so a proxy misconfiguration cannot expose them.
 */
export function devOnly(): void {
  if (!getModes().mocksAllowed) throw new AppError("not_found", "No route matches this path.");
}
