import { z } from "zod";
import { adminRoute } from "@/server/admin/http";
import { readMetricsDashboard } from "@/server/observability/metrics-store";

export const dynamic = "force-dynamic";

const query = z.object({ window: z.enum(["hour", "day", "week"]).default("hour") }).strict();

/**
 * Staff and admins: the built-in availability dashboard's data (success rate, error rate, p50/p95/p99 per route group,
 * chart points and business counters) over the last hour, day or 7 days, summed over every app instance.
 */
export const GET = adminRoute({ route: "/api/admin/metrics", query }, async ({ auth, query }) =>
  readMetricsDashboard(auth, query.window),
);
