import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { processSingleton } from "@/lib/process-global";

/**
 * The correlation id of the work in progress: the request id of an API request (the route wrapper), or the run id
 * of a job (`job-<name>-<uuid>`). Whatever runs inside `withCorrelation` — however deep — reads it here: the logger
 * adds it to every line as `requestId`, and audit rows, outbox rows, inbox rows and gateway metadata default to it.
 * One AsyncLocalStorage per process (route bundles each load this module; docs/tracing.md).
 */
const storage = processSingleton("correlation", () => new AsyncLocalStorage<string>());

export function withCorrelation<T>(id: string, run: () => T): T {
  return storage().run(id, run);
}

/** The id of the request or job run this code is working for, if any. */
export function currentRequestId(): string | undefined {
  return storage().getStore();
}

/** A job run's own correlation id: every line it logs and every row it writes carries it. */
export function jobRunId(job: string): string {
  return `job-${job}-${randomUUID()}`;
}
