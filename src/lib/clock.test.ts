import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clock } from "./clock";

const SYSTEM_NOW = new Date("2026-11-24T00:00:00.000Z");

describe("clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(SYSTEM_NOW);
  });

  afterEach(() => {
    clock.reset();
    vi.useRealTimers();
  });

  it("follows the system time by default", () => {
    expect(clock.now().toISOString()).toBe(SYSTEM_NOW.toISOString());
    expect(clock.describe()).toEqual({ now: SYSTEM_NOW.toISOString(), offsetMs: 0, frozen: false });
  });

  it("set() jumps to an instant and keeps running with the system clock", () => {
    clock.set(new Date("2030-01-01T09:00:00.000Z"));
    expect(clock.now().toISOString()).toBe("2030-01-01T09:00:00.000Z");
    vi.advanceTimersByTime(5_000);
    expect(clock.now().toISOString()).toBe("2030-01-01T09:00:05.000Z");
    expect(clock.describe().frozen).toBe(false);
  });

  it("set() with freeze stops time until the next change", () => {
    clock.set(new Date("2030-01-01T09:00:00.000Z"), { freeze: true });
    vi.advanceTimersByTime(60_000);
    expect(clock.now().toISOString()).toBe("2030-01-01T09:00:00.000Z");
    expect(clock.describe()).toMatchObject({ now: "2030-01-01T09:00:00.000Z", frozen: true });
  });

  it("advance() moves a running or a frozen clock forward", () => {
    expect(clock.advance(90 * 60_000).toISOString()).toBe("2026-11-24T01:30:00.000Z");
    expect(clock.describe().offsetMs).toBe(90 * 60_000);

    clock.set(new Date("2030-01-01T00:00:00.000Z"), { freeze: true });
    clock.advance(1_000);
    vi.advanceTimersByTime(10_000);
    expect(clock.now().toISOString()).toBe("2030-01-01T00:00:01.000Z");
  });

  it("reset() returns to the system time and unfreezes", () => {
    clock.set(new Date("2030-01-01T00:00:00.000Z"), { freeze: true });
    expect(clock.reset().toISOString()).toBe(SYSTEM_NOW.toISOString());
    vi.advanceTimersByTime(1_000);
    expect(clock.now().getTime()).toBe(SYSTEM_NOW.getTime() + 1_000);
    expect(clock.describe()).toMatchObject({ offsetMs: 0, frozen: false });
  });

  it("returns a new Date each time, so callers cannot move the clock by mutating it", () => {
    const now = clock.now();
    now.setFullYear(1999);
    expect(clock.now().toISOString()).toBe(SYSTEM_NOW.toISOString());
  });
});
