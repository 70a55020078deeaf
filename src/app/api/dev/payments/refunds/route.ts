import { z } from "zod";
import { route } from "@/server/http/route";
import { refundReservation } from "@/server/payments/refunds";
import { devOnly } from "@/server/security/dev-guard";

export const dynamic = "force-dynamic";

const body = z.strictObject({
  code: z.string().trim().min(1).max(40),
  amount: z.number().int().positive().optional(),
  reason: z.string().trim().min(1).max(500),
});

/**
 * `npm run payments:refund` in the embedded default: the Stripe emulator and the PGlite database live inside the
 * running app, so the CLI asks the app to run the same refundPayment it runs directly against real Stripe.
 */
export const POST = route(
  { route: "/api/dev/payments/refunds", guards: [devOnly], body },
  async ({ body, requestId }) => {
    const result = await refundReservation({ ...body, actor: { kind: "system", name: "cli" }, requestId });
    return { refund: result.refund };
  },
);
