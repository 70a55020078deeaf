import { getModes } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route } from "@/server/http/route";
import { emulatorErrorAsAppError, payCheckoutSession } from "@/server/emulators/stripe/emulator";
import { devOnly } from "@/server/security/dev-guard";
import { sandboxPaymentBody, sandboxSessionParams, type SandboxPaymentResponse } from "../../payments.schema";

export const dynamic = "force-dynamic";

/**
 * The sandbox checkout page's Pay button: pays the emulated Checkout Session with a Stripe test card, as Stripe's
 * hosted page would. 200 with outcome "succeeded" (go to successUrl) or "failed" (declined: try another card);
 * 404 unknown session; 409 invalid_state when the session is complete or expired.
 */
export const POST = route(
  {
    route: "/api/dev/payments/checkout/[sessionId]",
    guards: [devOnly],
    params: sandboxSessionParams,
    body: sandboxPaymentBody,
  },
  async ({ params, body, log }): Promise<SandboxPaymentResponse> => {
    if (getModes().payments !== "emulator") {
      throw new AppError(
        "invalid_state",
        "Payments go to Stripe (STRIPE_SECRET_KEY is set); the sandbox checkout is not in use.",
      );
    }
    try {
      const result = payCheckoutSession(params.sessionId, body.card);
      const { sessionId, outcome, paymentIntentId } = result;
      log.info({ event: "dev.sandbox_payment", sessionId, outcome, paymentIntentId }, "sandbox checkout payment");
      return result;
    } catch (error) {
      throw emulatorErrorAsAppError(error);
    }
  },
);
