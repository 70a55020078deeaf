import { processSingleton } from "./process-global";

/**
 * Every time read in the app goes through clock.now(). In the system mode it is the machine's clock; in the test
 * mode (mocks only) it is the machine's clock plus an offset that /api/dev/clock sets or advances, so holds,
 * reminders and expiry can be tested without waiting. The offset lives on globalThis so every route bundle of one
 * process sees the same clock.
 */
type ClockState = { offsetMs: number; frozenAtMs: number | null };

const state = processSingleton<ClockState>("clock", () => ({ offsetMs: 0, frozenAtMs: null }));

export const clock = {
  now(): Date {
    const s = state();
    return new Date(s.frozenAtMs ?? Date.now() + s.offsetMs);
  },
  /** Test clock only: jump to an instant; `freeze` stops time there until the next set/advance/reset. */
  set(to: Date, options: { freeze?: boolean } = {}): Date {
    const s = state();
    s.offsetMs = to.getTime() - Date.now();
    s.frozenAtMs = options.freeze ? to.getTime() : null;
    return clock.now();
  },
  advance(ms: number): Date {
    const s = state();
    if (s.frozenAtMs !== null) s.frozenAtMs += ms;
    else s.offsetMs += ms;
    return clock.now();
  },
  reset(): Date {
    const s = state();
    s.offsetMs = 0;
    s.frozenAtMs = null;
    return clock.now();
  },
  describe(): { now: string; offsetMs: number; frozen: boolean } {
    const s = state();
    return {
      now: clock.now().toISOString(),
      offsetMs: s.frozenAtMs === null ? s.offsetMs : s.frozenAtMs - Date.now(),
      frozen: s.frozenAtMs !== null,
    };
  },
};
