import { sql } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { GET as adminMetrics } from "@/app/api/admin/metrics/route";
import { GET as ping } from "@/app/api/ping/route";
import { queryRows } from "@/server/db/client";
import { runJob } from "@/server/jobs/registry";
import { count, recordHttpRequest, takeMinuteAggregates } from "@/server/observability/metrics";
import { flushMetrics, type MetricsDashboard } from "@/server/observability/metrics-store";
import { bearer, signedInAs } from "../helpers/auth";
import { describeEachDatabase } from "../helpers/db";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

describeEachDatabase("built-in metrics: per-minute aggregates in PostgreSQL", (ctx) => {
  beforeEach(async () => {
    takeMinuteAggregates(); // start from nothing pending in this process
    await ctx.db.execute(sql`delete from metric_minutes`);
  });

  const dashboard = async (window = "hour") => {
    const staff = await signedInAs(ctx.db, "staff");
    return expectJson<MetricsDashboard>(
      await callRoute(adminMetrics, `/api/admin/metrics?window=${window}`, { headers: bearer(staff) }),
    );
  };

  it("sums two instances' flushes of the same minute, histogram buckets included", async () => {
    // Instance A: 3 booking requests (one 503); instance B: 2 more, one slow. Same process, two flushes: the upsert
    // is what makes instances independent, and it is the same statement either way.
    const at = Date.now(); // one minute for every request, whenever the test runs
    recordHttpRequest("/api/reservations", "POST", 201, 0.004, at);
    recordHttpRequest("/api/reservations", "POST", 201, 0.02, at);
    recordHttpRequest("/api/reservations", "POST", 503, 0.03, at);
    count("holds_created", { kind: "paid" }, 2);
    expect(await flushMetrics()).toBe(2);
    recordHttpRequest("/api/reservations/[id]", "GET", 200, 0.004, at);
    recordHttpRequest("/api/reservations/[id]", "GET", 200, 3, at);
    count("holds_created", { kind: "free" });
    expect(await flushMetrics()).toBe(2);

    const rows = await queryRows<{ kind: string; name: string; requests: string; errors: string; buckets: unknown }>(
      ctx.db,
      sql`select kind, name, sum(requests)::text as requests, sum(errors)::text as errors,
              string_agg(buckets::text, ' ') as buckets
            from metric_minutes group by kind, name order by kind, name`,
    );
    expect(rows.map((r) => [r.kind, r.name, Number(r.requests), Number(r.errors)])).toEqual([
      ["counter", "holds_created", 3, 0],
      ["http", "booking", 5, 1],
    ]);
    // 0.004 s twice in the 5 ms bucket, 0.02 in 25 ms, 0.03 in 50 ms, 3 s in 5 s.
    expect(rows.find((r) => r.kind === "http")?.buckets).toBe("{2,0,1,1,0,0,0,0,0,1,0,0}");

    const body = await dashboard();
    expect(body.total).toMatchObject({ requests: 5, errors: 1, successRate: 0.8, errorRate: 0.2 });
    const booking = body.groups.find((g) => g.group === "booking");
    expect(booking).toMatchObject({ requests: 5, errors: 1 });
    expect(booking?.latencyMs.p50).toBe(17.5); // rank 2.5 of 5: halfway through the 10–25 ms bucket;
    expect(booking?.latencyMs.p99).toBeGreaterThan(2500);
    expect(body.counters.find((c) => c.name === "holds_created")?.value).toBe(3);
    expect(body.series.reduce((n, p) => n + p.requests, 0)).toBe(5);
  });

  it("records real route traffic, reads it for every window, and refuses customers", async () => {
    expect((await callRoute(ping, "/api/ping")).status).toBe(200);
    await flushMetrics();
    for (const window of ["hour", "day", "week"]) {
      const body = await dashboard(window);
      expect(body.groups.find((g) => g.group === "health")?.requests).toBeGreaterThanOrEqual(1);
    }
    const customer = await signedInAs(ctx.db, "user");
    await expectProblem(
      await callRoute(adminMetrics, "/api/admin/metrics", { headers: bearer(customer) }),
      403,
      "forbidden",
    );
    await expectProblem(
      await callRoute(adminMetrics, "/api/admin/metrics?window=year", {
        headers: bearer(await signedInAs(ctx.db, "admin")),
      }),
      422,
      "validation_failed",
    );
  });

  it("is empty with no traffic, and the prune-metrics job deletes minutes older than the retention", async () => {
    const body = await dashboard("day");
    expect(body.total).toMatchObject({
      requests: 0,
      successRate: null,
      latencyMs: { p50: null, p95: null, p99: null },
    });
    expect(body.series).toHaveLength(96);
    await ctx.db.execute(
      sql`insert into metric_minutes (minute, kind, name, requests) values
            (now() - interval '9 days', 'http', 'booking', 4), (now() - interval '2 days', 'http', 'booking', 1)`,
    );
    expect(await runJob("prune-metrics")).toMatchObject({ status: "done", affected: 1 });
    const [left] = await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from metric_minutes`);
    expect(left?.n).toBe(1);
  });
});
