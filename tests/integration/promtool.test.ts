import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as ping } from "@/app/api/ping/route";
import { clock } from "@/lib/clock";
import { HOUR, T0, holdOk, holdPayload, newService, postHold } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute } from "../helpers/http";
import { scrape, TOKEN } from "../helpers/metrics";

/**
 * The exposition format and the alerting rules, checked by Prometheus's own promtool (Debian: apt-get install
 * prometheus; .ci/run installs it when missing). Without promtool these tests are skipped, and their names say so.
 */
const promtool = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
const SKIPPED = promtool ? "" : " (SKIPPED: promtool is not installed; apt-get install prometheus)";
const OPS = path.resolve(process.cwd(), "docs/ops");

function run(args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(promtool as string, args, { input, encoding: "utf8", cwd: OPS, timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describeEachDatabase(`promtool check metrics on GET /api/metrics${SKIPPED}`, (ctx) => {
  let restore: (() => void) | undefined;
  beforeEach(() => {
    restore = setEnv({ METRICS_TOKEN: TOKEN });
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
    restore?.();
  });

  it.skipIf(!promtool)("passes with RED, business and scrape-time gauges present", async () => {
    const service = await newService(ctx.db);
    const slot = await insertSlot(ctx.db, {
      serviceId: service.id,
      startsAt: new Date(T0.getTime() + 48 * HOUR),
      capacity: 1,
    });
    await holdOk(slot.id);
    expect((await postHold(holdPayload(slot.id))).status).toBe(409);
    expect((await callRoute(ping, "/api/ping")).status).toBe(200);
    const text = await scrape(metricsRoute);
    expect(text).toContain('slotbook_holds_refused_total{reason="sold_out"}');
    expect(text).toContain("slotbook_outbox_pending ");
    const { status, output } = run(["check", "metrics"], text);
    expect({ status, output }).toEqual({ status: 0, output: expect.any(String) as string });
  });
});

describe(`promtool on docs/ops/alerts.yml${SKIPPED}`, () => {
  it.skipIf(!promtool)("the rules are valid", () => {
    const { status, output } = run(["check", "rules", "alerts.yml"]);
    expect({ status, output }).toMatchObject({ status: 0 });
    expect(output).toMatch(/SUCCESS: 6 rules found/);
  });

  it.skipIf(!promtool)("the rules' unit tests pass (promtool test rules alerts.test.yml)", () => {
    const { status, output } = run(["test", "rules", "alerts.test.yml"]);
    expect({ status, output }).toMatchObject({ status: 0 });
    expect(output).toMatch(/SUCCESS/);
  });

  it.skipIf(!promtool)("every query of the Grafana dashboard parses (checked as recording rules)", () => {
    const dashboard = JSON.parse(readFileSync(path.join(OPS, "grafana-dashboard.json"), "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const rules = exprs.map((expr, i) => `      - record: dashboard:q${i}\n        expr: ${JSON.stringify(expr)}`);
    const dir = mkdtempSync(path.join(tmpdir(), "slotbook-grafana-"));
    try {
      const file = path.join(dir, "dashboard-rules.yml");
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
      const { status, output } = run(["check", "rules", file]);
      expect({ status, output }).toMatchObject({ status: 0 });
      expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
