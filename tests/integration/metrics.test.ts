import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as ping } from "@/app/api/ping/route";
import { clock } from "@/lib/clock";
import * as metricsModule from "@/server/observability/metrics";
import { HOUR, T0, holdOk, holdPayload, newService, postHold } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv, withEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectProblem, type RouteHandler } from "../helpers/http";
import { metricValue, scrape, TOKEN } from "../helpers/metrics";

describeEachDatabase("GET /api/metrics", (ctx) => {
  let restore: (() => void) | undefined;
  beforeEach(() => {
    restore = setEnv({ METRICS_TOKEN: TOKEN });
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
    restore?.();
  });

  it("is 404 while METRICS_TOKEN is unset, and 401 with a wrong or missing token", async () => {
    await withEnv({ METRICS_TOKEN: undefined }, async () => {
      await expectProblem(await callRoute(metricsRoute, "/api/metrics"), 404, "not_found");
      await expectProblem(
        await callRoute(metricsRoute, "/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }),
        404,
        "not_found",
      );
    });
    await expectProblem(await callRoute(metricsRoute, "/api/metrics"), 401, "unauthorized");
    await expectProblem(
      await callRoute(metricsRoute, "/api/metrics", { headers: { authorization: `Bearer ${TOKEN}x` } }),
      401,
      "unauthorized",
    );
    await expectProblem(
      await callRoute(metricsRoute, "/api/metrics", { headers: { authorization: TOKEN } }),
      401,
      "unauthorized",
    );
  });

  it("shows the RED metrics a route handler recorded, and never counts the scrapes themselves", async () => {
    const before = await scrape(metricsRoute);
    const key = 'http_requests_total{route="/api/ping",method="GET",status="200"}';
    const res = await callRoute(ping, "/api/ping");
    expect(res.status).toBe(200);
    const after = await scrape(metricsRoute);
    expect(metricValue(after, key)).toBe((metricValue(before, key) ?? 0) + 1);
    expect(metricValue(after, 'http_request_duration_seconds_count{route="/api/ping",method="GET"}')).toBe(
      (metricValue(before, 'http_request_duration_seconds_count{route="/api/ping",method="GET"}') ?? 0) + 1,
    );
    expect(after).not.toContain('route="/api/metrics"');
  });

  it("shares one registry with a route module loaded as a separate module graph (a Next.js route bundle)", async () => {
    vi.resetModules();
    const freshMetrics = await import("@/server/observability/metrics");
    const fresh = (await import("@/app/api/ping/route")) as { GET: RouteHandler };
    expect(freshMetrics).not.toBe(metricsModule);
    expect(fresh.GET).not.toBe(ping);
    const key = 'http_requests_total{route="/api/ping",method="GET",status="200"}';
    const before = metricValue(await scrape(metricsRoute), key) ?? 0;
    expect((await callRoute(fresh.GET, "/api/ping")).status).toBe(200);
    expect(metricValue(await scrape(metricsRoute), key)).toBe(before + 1);
    expect(freshMetrics.metrics().registry).toBe(metricsModule.metrics().registry);
  });

  it("counts holds created and refused sold out, and reports the outbox from the database at scrape time", async () => {
    const service = await newService(ctx.db);
    const slot = await insertSlot(ctx.db, {
      serviceId: service.id,
      startsAt: new Date(T0.getTime() + 48 * HOUR),
      capacity: 1,
    });
    const before = await scrape(metricsRoute);
    await holdOk(slot.id);
    const refused = await postHold(holdPayload(slot.id, { customer: { name: "B", email: "b@example.com" } }));
    await expectProblem(refused, 409, "sold_out");
    const after = await scrape(metricsRoute);
    const delta = (k: string) => (metricValue(after, k) ?? 0) - (metricValue(before, k) ?? 0);
    expect(delta('slotbook_holds_created_total{kind="paid"}')).toBe(1);
    expect(delta('slotbook_holds_refused_total{reason="sold_out"}')).toBe(1);
    expect(metricValue(after, "slotbook_metrics_database_up")).toBe(1);
    expect(metricValue(after, "slotbook_outbox_pending")).toBeGreaterThanOrEqual(0);
    expect(metricValue(after, "slotbook_webhook_inbox_failed")).toBe(0);
    expect(metricValue(after, "slotbook_db_pool_max")).toBe(ctx.kind === "postgres" ? 10 : 1);
  });
});
