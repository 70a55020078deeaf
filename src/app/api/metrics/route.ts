import { route } from "@/server/http/route";
import { METRICS_ROUTE } from "@/server/observability/metrics";
import { metricsGuard } from "@/server/observability/metrics-guard";
import { renderMetrics } from "@/server/observability/metrics-scrape";

export const dynamic = "force-dynamic";

/**
 * Prometheus exposition of this instance's registry (docs/metrics.md): `Authorization: Bearer $METRICS_TOKEN`.
 * Without METRICS_TOKEN the route does not exist (404); a wrong token is 401. Scrapes are not rate limited (the token
 * is a 32+ character secret compared in constant time) and are not counted in the RED metrics.
 */
export const GET = route({ route: METRICS_ROUTE, rateLimit: false, guards: [metricsGuard] }, async () => {
  const { body, contentType } = await renderMetrics();
  return new Response(body, { status: 200, headers: { "Content-Type": contentType } });
});
