import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Liveness without touching any dependency (load balancers); /api/health is the readiness check. */
export const GET = route({ route: "/api/ping", rateLimit: false }, async () => ({ ok: true }));
