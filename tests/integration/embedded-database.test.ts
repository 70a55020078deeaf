import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareDatabaseAtStartup } from "@/server/db/bootstrap";
import { openDatabase, queryRows } from "@/server/db/client";
import { closeDatabase, getDatabase, setDatabaseForTests } from "@/server/db/index";
import { DatabaseLockedError, LOCK_FILE } from "@/server/db/lock";
import { expectConsoleError } from "../helpers/console";
import { setEnv } from "../helpers/env";

/**
 * The embedded database on disk: one process per data directory (a lock file a second opener respects), and in
 * development a directory PGlite cannot open is moved aside for a fresh, seeded one. Each test uses its own temp dir.
 */
let root: string;
let restoreEnv: (() => void) | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "slotbook-pglite-"));
});

afterEach(async () => {
  await closeDatabase();
  setDatabaseForTests(undefined);
  restoreEnv?.();
  restoreEnv = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** A pid that certainly belongs to no running process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (pid === undefined) throw new Error("child had no pid");
  return pid;
}

/** The failure seen in the field: a truncated pg_control makes PGlite abort on open (`RuntimeError: Aborted()`). */
async function corruptedDataDir(dir: string): Promise<void> {
  const handle = await openDatabase({ kind: "pglite", dataDir: dir });
  await handle.db.execute(sql`create table precious (id int)`);
  await handle.close();
  writeFileSync(path.join(dir, "global", "pg_control"), "");
}

function brokenCopies(dir: string): string[] {
  const base = path.basename(dir);
  return readdirSync(path.dirname(dir)).filter((name) => name.startsWith(`${base}.broken-`));
}

describe("data directory lock", () => {
  it("refuses a second opener while the first holds the directory, naming the holder", async () => {
    const dir = path.join(root, "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const second = openDatabase({ kind: "pglite", dataDir: dir });
      await expect(second).rejects.toBeInstanceOf(DatabaseLockedError);
      await expect(second).rejects.toThrow(`in use by process ${process.pid}`);
      // The first handle is untouched by the refused attempt.
      const rows = await queryRows<{ one: number }>(first.db, sql`select 1 as one`);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await first.close();
    }
    // Closing releases the lock: the directory opens again.
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    await again.close();
  });

  it("refuses a second process too", async () => {
    const dir = path.join(root, "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "-e",
          `import("${path.resolve("src/server/db/lock.ts")}").then((m) => m.acquireDataDirLock(${JSON.stringify(dir)})).then(() => process.exit(0), (e) => { console.log(e.name + ": " + e.message); process.exit(7); })`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(7);
      expect(out).toContain(`DatabaseLockedError: The embedded database ${dir} is in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
  });

  it("takes over a stale lock left by a process that no longer runs", async () => {
    const dir = path.join(root, "pglite");
    await (await openDatabase({ kind: "pglite", dataDir: dir })).close();
    const pid = await deadPid();
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid, host: os.hostname(), startedAt: "2026-01-01T00:00:00.000Z", command: "next dev" }),
    );
    const handle = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const owner = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), "utf8")) as { pid: number };
      expect(owner.pid).toBe(process.pid);
    } finally {
      await handle.close();
    }
  });
  it("takes over a lock whose pid now belongs to another process (a pid reused after a container restart)", async () => {
    const dir = path.join(root, "pglite");
    await (await openDatabase({ kind: "pglite", dataDir: dir })).close();
    // Our own pid, written by an earlier incarnation: this process does not hold the directory.
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        startedAt: "2020-01-01T00:00:00.000Z",
        command: "next dev",
      }),
    );
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    await first.close();
    if (process.platform !== "linux") return;
    // A live process whose start time is not the one recorded.
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      writeFileSync(
        path.join(dir, LOCK_FILE),
        JSON.stringify({
          pid: child.pid,
          host: os.hostname(),
          startedAt: "2020-01-01T00:00:00.000Z",
          command: "next dev",
        }),
      );
      const second = await openDatabase({ kind: "pglite", dataDir: dir });
      await second.close();
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("a broken embedded database at startup", () => {
  it("in development: is moved aside, a fresh migrated and seeded one opens, and the old path is printed", async () => {
    const dir = path.join(root, "pglite");
    await corruptedDataDir(dir);
    restoreEnv = setEnv({ NODE_ENV: "development", PGLITE_DIR: dir, DATA_DIR: root });
    setDatabaseForTests(undefined);
    const errors = expectConsoleError();

    await prepareDatabaseAtStartup();

    const [broken] = brokenCopies(dir);
    expect(broken).toMatch(/^pglite\.broken-\d{4}-\d{2}-\d{2}T/);
    // The old directory is kept whole (its files, not the lock) for inspection.
    expect(existsSync(path.join(root, broken as string, "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(root, broken as string, LOCK_FILE))).toBe(false);
    expect(errors.flat().join(" ")).toContain(path.join(root, broken as string));

    const { db } = await getDatabase();
    const [services] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from services`);
    expect(services?.n).toBeGreaterThan(0);
    const [admins] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from user_roles where role = 'admin'`,
    );
    expect(admins?.n).toBe(1);
  });

  for (const NODE_ENV of ["production", "test"]) {
    it(`with NODE_ENV=${NODE_ENV}: fails as before and leaves the directory where it is`, async () => {
      const dir = path.join(root, "pglite");
      await corruptedDataDir(dir);
      restoreEnv = setEnv({ NODE_ENV, PGLITE_DIR: dir, DATA_DIR: root });
      setDatabaseForTests(undefined);

      await expect(prepareDatabaseAtStartup()).rejects.toThrow();

      expect(brokenCopies(dir)).toEqual([]);
      expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(true);
      // The failed open released its lock.
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    });
  }

  it("in development: a directory held by another live opener is refused, not moved aside", async () => {
    const dir = path.join(root, "pglite");
    const holder = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      restoreEnv = setEnv({ NODE_ENV: "development", PGLITE_DIR: dir, DATA_DIR: root });
      setDatabaseForTests(undefined);
      await expect(prepareDatabaseAtStartup()).rejects.toBeInstanceOf(DatabaseLockedError);
      expect(brokenCopies(dir)).toEqual([]);
    } finally {
      await holder.close();
    }
  });
});
