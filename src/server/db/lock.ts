import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * One process at a time per embedded data directory. PGlite has no cross-process locking of its own (PostgreSQL's
 * postmaster.pid check does not apply inside WASM), and two processes writing one directory corrupt it: a second
 * `npm run dev`, a script (db:migrate, db:seed, slots:*) or a benchmark run beside the server. Every opener goes
 * through openDatabase(), which takes this lock first.
 *
 * The lock file holds the owner's pid, host and start time. A lock whose pid is no longer alive on this host, or is
 * now a different process (its start time differs: a pid reused after a container restart), is stale (a kill -9, a
 * crash) and is taken over; a live holder is a DatabaseLockedError naming that process.
 */
export const LOCK_FILE = "slotbook.lock";

export type LockOwner = { pid: number; host: string; startedAt: string; command: string };

export class DatabaseLockedError extends Error {
  readonly owner: LockOwner;
  readonly dataDir: string;
  constructor(dataDir: string, owner: LockOwner) {
    super(
      `The embedded database ${dataDir} is in use by process ${owner.pid} (${owner.command}, started ${owner.startedAt}). ` +
        `Two processes writing one PGlite directory corrupt it: stop that process first (or point PGLITE_DIR elsewhere).`,
    );
    this.name = "DatabaseLockedError";
    this.dataDir = dataDir;
    this.owner = owner;
  }
}

export type DataDirLock = { file: string; release(): void };

/** Directories this process holds, so a lock file naming our own pid that we did not take reads as stale. */
const held = new Set<string>();

/**
 * When the process with this pid started (Linux: /proc), to tell a live holder from a new process that reused its
 * pid (a container restarted with the same pids). Undefined where /proc is not available.
 */
function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const bootLine = readFileSync("/proc/stat", "utf8")
      .split("\n")
      .find((line) => line.startsWith("btime "));
    if (!Number.isFinite(ticks) || !bootLine) return undefined;
    // USER_HZ is 100 on every Linux the app runs on.
    return (Number(bootLine.slice(6)) + ticks / 100) * 1000;
  } catch {
    return undefined;
  }
}

/** A lock is live when its pid runs on this host and (where we can tell) that process is the one that wrote it. */
function isHeldByLiveProcess(owner: LockOwner, dir: string): boolean {
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return held.has(dir);
  if (!isAlive(owner.pid)) return false;
  const started = processStartedAt(owner.pid);
  const recorded = Date.parse(owner.startedAt);
  if (started === undefined || Number.isNaN(recorded)) return true;
  return Math.abs(started - recorded) < 5_000;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number") return undefined;
    return {
      pid: parsed.pid,
      host: String(parsed.host ?? ""),
      startedAt: String(parsed.startedAt ?? ""),
      command: String(parsed.command ?? ""),
    };
  } catch {
    return undefined;
  }
}

/** Takes the lock on dataDir (which must exist) or throws DatabaseLockedError. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    command: process.argv
      .slice(1)
      .map((a) => path.basename(a))
      .join(" ")
      .slice(0, 200),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // O_EXCL: of two processes racing for the lock exactly one creates the file.
      writeFileSync(file, JSON.stringify(me), { flag: "wx" });
      held.add(dataDir);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(dataDir);
        process.removeListener("exit", release);
        if (readOwner(file)?.pid === me.pid) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      };
      // Last resort for an exit that skipped close(); kill -9 leaves a stale lock, which the next opener takes over.
      process.on("exit", release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(file);
    // A half-written file (the holder is between create and write) reads as no owner: look again.
    if (owner === undefined && attempt === 0) continue;
    const stale = owner === undefined || !isHeldByLiveProcess(owner, dataDir);
    if (!stale) throw new DatabaseLockedError(dataDir, owner);
    try {
      unlinkSync(file);
    } catch {
      // another opener took it over first; the next attempt sees its lock
    }
  }
  const owner = readOwner(file);
  throw new DatabaseLockedError(dataDir, owner ?? { pid: -1, host: "", startedAt: "", command: "unknown" });
}
