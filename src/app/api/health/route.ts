import { reply, route } from "@/server/http/route";
import { checkHealth } from "@/server/observability/health";

export const dynamic = "force-dynamic";

/** Liveness and readiness: 200 while the database answers, 503 (with Retry-After) when it does not. */
export const GET = route({ route: "/api/health", rateLimit: false }, async () => {
  const health = await checkHealth();
  return health.db.ok ? health : reply(503, health, { "Retry-After": "5" });
});
