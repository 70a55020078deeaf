import "server-only";
import type { NextRequest } from "next/server";
import { reply, type Reply } from "@/server/http/route";
import type { AuthContext } from "@/server/auth/guard";
import { withIdempotency } from "@/server/idempotency";

/**
 * Every staff action on a reservation (POST /api/admin/reservations/[id]/…) requires an Idempotency-Key, with the
 * same semantics as the customer's booking and checkout (src/server/idempotency): a double click or a retry after a
 * lost response replays the first answer instead of refunding or resending twice; the same key with another body is
 * 422; one still running is 409. Keys are scoped to the staff member. The /manage forms send one key per confirmed
 * submission.
 */
export async function idempotentAction(
  ctx: { req: NextRequest; auth: AuthContext; body: unknown },
  run: () => Promise<object>,
): Promise<Reply> {
  const result = await withIdempotency(
    {
      scope: `staff:${ctx.auth.userId}`,
      key: ctx.req.headers.get("idempotency-key"),
      method: "POST",
      path: new URL(ctx.req.url).pathname,
      payload: ctx.body,
    },
    async () => ({ status: 200, body: await run() }),
  );
  return reply(result.status, result.body, result.replayed ? { "Idempotency-Replayed": "true" } : undefined);
}
