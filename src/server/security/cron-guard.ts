import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { clientIp } from "./client-ip";

/**
 * Guard for /api/cron/*: `Authorization: Bearer $CRON_SECRET`, compared in constant time, plus optional user-agent
 * prefix and client IP allowlists (the client address by the TRUSTED_PROXY_HOPS rule, so a forged X-Forwarded-For
 * does not pass). Without CRON_SECRET the routes answer 500 config_missing: they are never open.
 * The in-process scheduler of the embedded default calls the job functions directly, not these routes.
 */
export function cronGuard(req: NextRequest): void {
  const env = getEnv();
  if (!env.CRON_SECRET) {
    throw new AppError("config_missing", undefined, {
      internalDetail: "CRON_SECRET is not set; /api/cron/* is disabled",
    });
  }
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer (.+)$/.exec(header);
  if (!match || !constantTimeEqual(match[1] as string, env.CRON_SECRET)) {
    throw new AppError("unauthorized", "A valid cron bearer token is required.");
  }
  const agents = splitList(env.CRON_ALLOWED_USER_AGENTS);
  if (agents.length > 0) {
    const ua = req.headers.get("user-agent") ?? "";
    if (!agents.some((prefix) => ua.startsWith(prefix)))
      throw new AppError("forbidden", "This client may not run jobs.");
  }
  const ips = splitList(env.CRON_ALLOWED_IPS);
  if (ips.length > 0) {
    const ip = clientIp(req);
    if (!ip || !ips.includes(ip)) throw new AppError("forbidden", "This address may not run jobs.");
  }
}

/** Compares SHA-256 digests so neither the length nor the content of the secret leaks through timing. */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
