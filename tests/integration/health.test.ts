import net from "node:net";
import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { setDatabaseForTests as injectDatabase } from "@/server/db";
import { openDatabase } from "@/server/db/client";
import { readJournal } from "@/server/db/migrate";
import { notifications, webhookEvents } from "@/server/db/schema";
import { clock } from "@/lib/clock";
import { jobNames } from "@/server/jobs/names";
import { jobs, runJob } from "@/server/jobs/registry";
import type { Health } from "@/server/observability/health";
import { describeEachDatabase, openUnreachableDatabase } from "../helpers/db";
import { callRoute, expectJson } from "../helpers/http";

const journal = readJournal();

describeEachDatabase("GET /api/health", (ctx) => {
  it("answers 200 with every mode embedded and the migration state", async () => {
    const res = await callRoute(health, "/api/health");
    const body = await expectJson<Health>(res, 200);

    expect(body.status).toBe("ok");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.modes).toEqual({
      mocksAllowed: true,
      database: ctx.kind,
      auth: "emulator",
      payments: "emulator",
      email: "dry_run",
      sms: "dry_run",
      rateLimit: "memory",
      cron: "in_process",
      errorTracking: "off",
      clock: "test",
    });
    expect(body.db).toMatchObject({
      ok: true,
      migration: { applied: journal.length, total: journal.length, pending: 0, latest: journal.at(-1)?.tag },
    });
    expect(body.db.latencyMs).toBeGreaterThanOrEqual(0);
    expect(res.headers.get("x-data-source")).toBe(ctx.kind);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 503 with Retry-After when the database refuses connections", async () => {
    const unreachable = await openUnreachableDatabase();
    try {
      const res = await ctx.withDatabase(unreachable, () => callRoute(health, "/api/health"));

      const body = await expectJson<Health>(res, 503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(body.status).toBe("unavailable");
      expect(body.db).toMatchObject({ ok: false, latencyMs: null, migration: null, error: "ECONNREFUSED" });
      // ECONNREFUSED, not TIMEOUT: a refused connection is reported at once, not after the 3 s check timeout.
      expect(body.modes.database).toBe(ctx.kind);
      expect(body.backlog).toBeNull();
    } finally {
      await unreachable.close();
    }
  });

  it("shows the outbox backlog and its oldest age, failed inbox rows and each job's last successful run", async () => {
    const read = async () => (await expectJson<Health>(await callRoute(health, "/api/health"), 200)).backlog;
    const before = await read();
    expect(before).not.toBeNull();
    expect(Object.keys(before?.jobs ?? {}).sort()).toEqual([...jobNames].sort());
    expect(before?.jobs["send-reminders"]).toEqual({ lastSuccessAt: null });

    // One job holding an advisory lock, one holding a lease: both record a successful run.
    expect(await runJob("cleanup-rate-limits")).toMatchObject({ status: "done" });
    expect(await runJob("dispatch-notifications")).toMatchObject({ status: "done" });

    const now = clock.now().getTime();
    const tag = crypto.randomUUID();
    await ctx.db.insert(notifications).values([
      {
        kind: "confirmed",
        channel: "email",
        dedupeKey: `${tag}:a`,
        recipient: "a@example.com",
        createdAt: new Date(now - 600_000),
      },
      {
        kind: "confirmed",
        channel: "email",
        dedupeKey: `${tag}:b`,
        recipient: "b@example.com",
        createdAt: new Date(now - 30_000),
      },
      { kind: "confirmed", channel: "email", dedupeKey: `${tag}:c`, recipient: "c@example.com", status: "failed" },
    ]);
    await ctx.db.insert(webhookEvents).values([
      {
        provider: "stripe",
        eventId: `evt_${tag}_1`,
        type: "checkout.session.completed",
        payload: {},
        status: "failed",
      },
      { provider: "stripe", eventId: `evt_${tag}_2`, type: "checkout.session.completed", payload: {} },
    ]);

    const after = await read();
    expect(after?.outbox.pending).toBe((before?.outbox.pending ?? 0) + 2);
    expect(after?.outbox.failed).toBe((before?.outbox.failed ?? 0) + 1);
    expect(after?.outbox.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
    expect(after?.outbox.oldestPendingAgeSeconds).toBeLessThan(3600);
    expect(after?.inbox).toEqual({
      failed: (before?.inbox.failed ?? 0) + 1,
      received: (before?.inbox.received ?? 0) + 1,
    });
    for (const job of ["cleanup-rate-limits", "dispatch-notifications"] as const) {
      expect(Date.parse(after?.jobs[job].lastSuccessAt ?? "")).toBeGreaterThan(0);
    }
    expect(after?.jobs["send-reminders"]).toEqual({ lastSuccessAt: null });
  });

  it("a failed run leaves the job's last successful run where it was", async () => {
    const lastSuccess = async () =>
      (await expectJson<Health>(await callRoute(health, "/api/health"), 200)).backlog?.jobs["reconcile-payments"]
        .lastSuccessAt;
    expect(await runJob("reconcile-payments")).toMatchObject({ status: "done" });
    const before = await lastSuccess();
    expect(before).not.toBeNull();

    const job = jobs["reconcile-payments"];
    const original = job.leased;
    job.leased = () => Promise.reject(new Error("gateway down for the test"));
    try {
      await expect(runJob("reconcile-payments")).rejects.toThrow("gateway down for the test");
    } finally {
      job.leased = original;
    }
    expect(await lastSuccess()).toBe(before);
    // The lease was released all the same: the next run is not skipped.
    expect(await runJob("reconcile-payments")).toMatchObject({ status: "done" });
  });

  it("answers 200 again once the database is back", async () => {
    const res = await callRoute(health, "/api/health");
    expect((await expectJson<Health>(res, 200)).db.ok).toBe(true);
  });
});

describe("GET /api/health with a database that accepts connections but never answers", () => {
  it("gives up after its 3 s timeout and answers 503", async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const silent = await openDatabase({
      kind: "postgres",
      url: `postgres://postgres@127.0.0.1:${port}/silent`,
      poolMax: 1,
    });
    injectDatabase(silent);
    try {
      const started = performance.now();
      const res = await callRoute(health, "/api/health");
      const elapsedMs = performance.now() - started;

      const body = await expectJson<Health>(res, 503);
      expect(body.db).toMatchObject({ ok: false, error: "TIMEOUT" });
      expect(res.headers.get("retry-after")).toBe("5");
      expect(elapsedMs).toBeGreaterThanOrEqual(2900);
      expect(elapsedMs).toBeLessThan(10_000);
    } finally {
      injectDatabase(undefined);
      // Stop accepting first, so the driver's reconnect attempt is refused instead of hanging again.
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      // end({ timeout: 0 }) drops the still-queued health query at once instead of waiting 5 s for it.
      await (silent.db as unknown as { $client: Sql }).$client.end({ timeout: 0 });
      await closed;
    }
  });
});
