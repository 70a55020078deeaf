import { getConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * The webhook signing secret /api/webhooks/stripe verifies with. Real Stripe: STRIPE_WEBHOOK_SECRET (from the
 * dashboard's endpoint or `stripe listen`). Embedded default: the Stripe emulator signs its deliveries with this
 * fixed development secret unless STRIPE_WEBHOOK_SECRET is set, so the route runs the same signature check either way.
 */
export const EMULATOR_WEBHOOK_SECRET = "whsec_slotbook_emulator_development_only";

export function stripeWebhookSecret(): string {
  const { env, modes } = getConfig();
  if (env.STRIPE_WEBHOOK_SECRET) return env.STRIPE_WEBHOOK_SECRET;
  if (modes.payments === "emulator" && modes.mocksAllowed) return EMULATOR_WEBHOOK_SECRET;
  throw new AppError("config_missing", "Payments are not configured.", {
    internalDetail: "STRIPE_WEBHOOK_SECRET is not set",
  });
}

/** Stripe's signature tolerance: a delivery signed more than this many seconds ago is rejected (replay defence). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
