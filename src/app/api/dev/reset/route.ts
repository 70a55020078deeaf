import { route } from "@/server/http/route";
import { resetEmbeddedDatabase } from "@/server/db/bootstrap";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { devOnly } from "@/server/security/dev-guard";

export const dynamic = "force-dynamic";

/**
 * Empties the embedded database and seeds the demo data again (PGlite only; sign-ins are printed to the console),
 * and forgets the Stripe emulator's objects, which belonged to the reservations just removed.
 */
export const POST = route({ route: "/api/dev/reset", guards: [devOnly] }, async ({ log }) => {
  const result = await resetEmbeddedDatabase();
  resetStripeEmulator();
  log.info({ event: "dev.reset", services: result.services, slots: result.slots }, "embedded database reset");
  return {
    reset: true,
    services: result.services,
    slots: result.slots,
    accounts: result.accounts.map((a) => ({ email: a.email, role: a.role })),
  };
});
