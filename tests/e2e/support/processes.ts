import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { blankIntegrationEnv, generousLimitsEnv } from "./server-env";

/** Production servers that specs start themselves (each with its own environment), and how to stop them. */
export const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
/**
 * How long a fresh production server may take to answer: an embedded database is migrated and seeded first, which
 * took over 30 s once while the rest of the suite loaded both cores. A cap on waiting for a state, not a sleep.
 */
export const STARTUP_TIMEOUT_MS = 90_000;

export type Started = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** A clean environment: PATH, HOME and NODE_ENV only (plus blanks and generous limits, see support/server-env.ts), then `extra`. */
export function startProduction(port: number, extra: Record<string, string> = {}): Started {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    ...blankIntegrationEnv(),
    ...generousLimitsEnv(),
    ...extra,
  };
  const child = spawn(process.execPath, [NEXT_BIN, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    env,
    // Own process group, so the whole tree can be stopped at once.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function stop(started: Started): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5_000);
  await started.exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port !== 3000 && port !== 3100) return port;
  }
}

/** Resolves once the server answers any HTTP request; fails early if the process exits instead. */
export async function waitUntilServing(base: string, started: Started): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void started.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}:\n${started.output()}`);
    try {
      await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`server did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${started.output()}`);
}
