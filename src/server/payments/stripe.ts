import "server-only";
import Stripe from "stripe";
import { getConfig } from "@/lib/env";
import { stripeEmulatorFetch } from "@/server/emulators/stripe/emulator";
import { processSingleton, processSlot } from "@/lib/process-global";

/**
 * The one Stripe client. Production talks to Stripe with STRIPE_SECRET_KEY; the embedded default uses the same SDK
 * with only its transport swapped for the in-process emulator, so the gateway code never knows which it talks to.
 */
const slot = processSlot<Stripe>("stripe");
const stripe = processSingleton("stripe", () => createStripe());

/** A placeholder key of the right shape; the emulator ignores it. */
const EMULATOR_KEY = "sk_test_emulator";

export function getStripe(): Stripe {
  return stripe();
}

/** Tests only: route the gateway through another client (e.g. the SDK pointed at an HTTP stand-in); undefined resets. */
export function setStripeForTests(client: Stripe | undefined): void {
  slot.set(client);
}

export type StripeClientOptions = {
  host?: string;
  port?: number;
  protocol?: "http" | "https";
  timeout?: number;
  maxNetworkRetries?: number;
};

export function createStripe(options: StripeClientOptions = {}): Stripe {
  const { env, modes } = getConfig();
  const { timeout = 20_000, maxNetworkRetries = 2, ...transport } = options;
  const common = { maxNetworkRetries, timeout, appInfo: { name: "slotbook" } } as const;
  if (modes.payments === "stripe" || options.host) {
    return new Stripe(env.STRIPE_SECRET_KEY ?? EMULATOR_KEY, { ...common, ...transport });
  }
  return new Stripe(EMULATOR_KEY, { ...common, httpClient: Stripe.createFetchHttpClient(stripeEmulatorFetch) });
}
