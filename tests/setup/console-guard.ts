import { afterEach, beforeEach } from "vitest";
import { consoleGuardState, unexpectedConsoleErrors } from "../helpers/console";

/**
 * Fails any test that writes to console.error without expecting it (CONVENTIONS.md, "Tests"). console.error is
 * replaced directly rather than with vi.spyOn, so a test's vi.restoreAllMocks() cannot switch the guard off.
 */
const original = console.error;

beforeEach(() => {
  const state = consoleGuardState();
  state.calls.length = 0;
  state.expected = false;
  console.error = (...args: unknown[]) => {
    state.calls.push(args);
  };
});

afterEach(() => {
  console.error = original;
  const message = unexpectedConsoleErrors(consoleGuardState());
  if (message) throw new Error(message);
});
