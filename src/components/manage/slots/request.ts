import type { Problem } from "@/components/booking/api-client";

/** The message of the first field error under `path` (e.g. "body.capacity"), for the field it belongs to. */
export function fieldError(problem: Problem | null, path: string): string | undefined {
  return problem?.errors.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
}
