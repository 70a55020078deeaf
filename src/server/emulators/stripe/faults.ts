import { newId } from "./state";
import { processSlot } from "@/lib/process-global";

/**
 * Fault injection for reliability tests: make chosen API calls answer 500 or hang, so the gateway's timeouts,
 * retries and idempotency keys are exercised against the same SDK code path production uses. Applied in
 * stripeEmulatorFetch after the Idempotency-Key look-up (a replay answers what was saved). A 500 counts as an answer
 * from an endpoint that started executing, so it is saved under the request's key and replayed, as Stripe does.
 */

export type StripeFaultSpec = {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Exact pathname (`/v1/refunds`) or a pattern tested against it. */
  path: string | RegExp;
  /**
   * `http_500`: a Stripe-shaped api_error; nothing changes. `http_500_after_change`: the request runs (the object is
   * created) and then answers the same 500, as when Stripe fails after its endpoint did the work. `hang`: wait
   * hangMs (or until the client aborts), then answer normally.
   */
  kind: "http_500" | "http_500_after_change" | "hang";
  /** How many matching requests to affect; unlimited until clearStripeFaults() when omitted. */
  times?: number;
  /** For `hang`; default 30 s. */
  hangMs?: number;
};

export type StripeFaultHandle = {
  readonly id: string;
  /** Requests this fault has affected so far. */
  readonly hits: number;
  remove(): void;
};

type Fault = StripeFaultSpec & { id: string; hits: number };

const store = processSlot<Fault[]>("stripeEmulator.faults");

function faults(): Fault[] {
  return store.ensure(() => []);
}

export function injectStripeFault(spec: StripeFaultSpec): StripeFaultHandle {
  const fault: Fault = { ...spec, id: newId("fault", 6), hits: 0 };
  faults().push(fault);
  return {
    id: fault.id,
    get hits() {
      return fault.hits;
    },
    remove() {
      store.set(faults().filter((f) => f !== fault));
    },
  };
}

export function clearStripeFaults(): void {
  store.set([]);
}

/** The first live fault matching this request, counted as a hit; null when the request should run normally. */
export function takeFault(method: string, pathname: string): Fault | null {
  const fault = faults().find(
    (f) =>
      (f.times === undefined || f.hits < f.times) &&
      (f.method === undefined || f.method.toUpperCase() === method) &&
      (typeof f.path === "string" ? f.path === pathname : f.path.test(pathname)),
  );
  if (!fault) return null;
  fault.hits += 1;
  return fault;
}

const DEFAULT_HANG_MS = 30_000;

/** Waits like an unresponsive server; rejects with the abort reason as soon as the client gives up, as fetch does. */
export function hang(fault: Fault, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, fault.hangMs ?? DEFAULT_HANG_MS);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
