import { processSingleton } from "@/lib/process-global";

/**
 * A console.error during a test is a failure unless the test says it expects one. The guard in
 * tests/setup/console-guard.ts records every call; a test that expects an error calls expectConsoleError() and gets
 * the recorded calls back to assert on.
 */
type ConsoleGuardState = { calls: unknown[][]; expected: boolean };

export const consoleGuardState = processSingleton<ConsoleGuardState>("test.console-guard", () => ({
  calls: [],
  expected: false,
}));

/** Marks console.error as expected in the current test; returns the live list of recorded calls. */
export function expectConsoleError(): unknown[][] {
  const state = consoleGuardState();
  state.expected = true;
  return state.calls;
}

/** The failure message for unexpected console.error calls, or null when there were none (or they were expected). */
export function unexpectedConsoleErrors(state: ConsoleGuardState): string | null {
  if (state.expected || state.calls.length === 0) return null;
  const lines = state.calls.map((args, i) => `  ${i + 1}. ${args.map(describeArg).join(" ")}`);
  return [
    `console.error was called ${state.calls.length} time(s) during this test; call expectConsoleError() if that is intended:`,
    ...lines,
  ].join("\n");
}

function describeArg(arg: unknown): string {
  if (arg instanceof Error) return arg.stack ?? arg.message;
  if (typeof arg === "string") return arg;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}
