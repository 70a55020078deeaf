import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { currentRequestId, jobRunId, withCorrelation } from "./correlation";
import { loggerOptions } from "./logger";

/** The app's logger options over a stream of our own, so the test reads the lines as they would be written. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ ...loggerOptions, level: "info" }, stream), lines, raw };
}

describe("correlation id", () => {
  it("is the innermost withCorrelation's id across awaits, and none outside", async () => {
    expect(currentRequestId()).toBeUndefined();
    await withCorrelation("outer-request", async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentRequestId()).toBe("outer-request");
      await withCorrelation("inner-run", async () => expect(currentRequestId()).toBe("inner-run"));
      expect(currentRequestId()).toBe("outer-request");
    });
    expect(currentRequestId()).toBeUndefined();
  });

  it("names a job run job-<name>-<uuid>, new for each run", () => {
    expect(jobRunId("expire-holds")).toMatch(/^job-expire-holds-[0-9a-f]{8}-[0-9a-f-]{27}$/);
    expect(jobRunId("x")).not.toBe(jobRunId("x"));
  });

  it("is on every log line written while it is in progress, once, and a line's own id wins", async () => {
    const { log, lines, raw } = capture();
    log.info({ event: "a" }, "outside");
    await withCorrelation("req-12345678", async () => {
      log.info({ event: "b" }, "plain");
      log.info({ event: "c", requestId: undefined }, "optional id not given");
      log.info({ event: "d", requestId: "row-cause-1" }, "own id");
      log.child({ requestId: "child-bound" }).info({ event: "e" }, "child");
      log.child({ component: "x" }).info({ event: "f" }, "child without id");
    });
    const byEvent = Object.fromEntries(lines.map((l) => [l.event, l.requestId]));
    expect(byEvent).toEqual({
      a: undefined,
      b: "req-12345678",
      c: "req-12345678",
      d: "row-cause-1",
      e: "child-bound",
      f: "req-12345678",
    });
    // Never twice on one line (a child's bound id and the mixin's would both be written).
    expect(raw.map((line) => line.split('"requestId"').length - 1)).toEqual([0, 1, 1, 1, 1, 1]);
  });
});
