import "server-only";
import type { NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { constantTimeEqual } from "@/server/security/cron-guard";

/** GET /api/metrics: 404 while METRICS_TOKEN is unset (the endpoint is off), 401 unless the bearer token matches. */
export function metricsGuard(req: NextRequest): void {
  const token = getEnv().METRICS_TOKEN;
  if (!token) throw new AppError("not_found", "No such endpoint.");
  const match = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
  if (!match || !constantTimeEqual(match[1] as string, token)) {
    throw new AppError("unauthorized", "A valid metrics bearer token is required.");
  }
}
