/**
 * Shared pieces of the HTTP benchmarks (bench/booking-http.ts, bench/webhook-http.ts): a closed-loop load generator,
 * a scratch PostgreSQL database with the migrations applied, and the production build (`npm run build` first)
 * started with `next start` on a free port.
 * BENCH_CONCURRENCY (16), BENCH_REQUESTS (1500), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres,
 * only used to create and drop the scratch database).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "../src/server/db/client";
import { runMigrations } from "../src/server/db/migrate";

export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);

export type Stats = {
  label: string;
  requests: number;
  rps: number;
  p50: number;
  p95?: number;
  p99: number;
  statuses: Record<string, number>;
};

/**
 * `total` requests from CONCURRENCY workers, each sending its next request when the previous one answered.
 * `fire` returns the HTTP status. Prints one line; `p95: true` adds p95 to the line and the stats.
 */
export async function load(
  label: string,
  total: number,
  fire: (i: number) => Promise<number>,
  options: { p95?: boolean } = {},
): Promise<Stats> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const status = await fire(i);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const stats: Stats = {
    label,
    requests: total,
    rps: total / seconds,
    p50: pct(50),
    ...(options.p95 ? { p95: pct(95) } : {}),
    p99: pct(99),
    statuses,
  };
  const ms = (name: string, v: number) => `${name} ${v.toFixed(1).padStart(6)} ms`;
  const percentiles = [
    ms("p50", stats.p50),
    ...(stats.p95 !== undefined ? [ms("p95", stats.p95)] : []),
    ms("p99", stats.p99),
  ];
  console.log(
    `  ${label.padEnd(46)} ${stats.rps.toFixed(0).padStart(6)} req/s  ${percentiles.join("  ")}  ${JSON.stringify(statuses)}`,
  );
  return stats;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export type ScratchDatabase = { url: string; drop: () => Promise<void> };

/** Creates `bench_<now>` next to BENCH_DATABASE_URL and applies the migrations; `drop()` removes it. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `bench_${Date.now()}`;
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 2 });
  await runMigrations(handle);
  await handle.close();
  return {
    url,
    drop: async () => {
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    },
  };
}

export type App = { base: string; server: ChildProcess };

/**
 * Spawns `next start` (production build, mocks allowed, in-process cron off) on the given database. `env` is
 * merged last (a value of undefined removes a variable); `stdoutFile` keeps the server's log, which is dropped
 * otherwise. Call `waitForApp` next, inside the try whose finally calls `stopApp`.
 */
export async function startApp(
  databaseUrl: string,
  options: { env?: Record<string, string | undefined>; stdoutFile?: string } = {},
): Promise<App> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    ALLOW_DEV_MOCKS: "true",
    DATABASE_URL: databaseUrl,
    DATA_DIR: `.data/bench`,
    CRON_IN_PROCESS: "false",
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const server = spawn(
    process.execPath,
    [
      path.join("node_modules", "next", "dist", "bin", "next"),
      "start",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      env,
      stdio: ["ignore", options.stdoutFile ? openSync(options.stdoutFile, "w") : "ignore", "inherit"],
      detached: true,
    },
  );
  return { base, server };
}

/** Polls /api/health until it answers 200 (up to a minute); returns its body. */
export async function waitForApp(app: App): Promise<unknown> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${app.base}/api/health`);
      if (res.ok) return await res.json();
    } catch {
      /* not up yet */
    }
    if (i > 120) throw new Error("server did not start (did you run `npm run build`?)");
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function stopApp(app: App): void {
  if (app.server.pid) process.kill(-app.server.pid, "SIGTERM");
}
