import { route } from "@/lib/http";
import { resetEmbeddedDatabase } from "@/server/db/bootstrap";
import { devOnly } from "@/server/security/dev-guard";

export const dynamic = "force-dynamic";

/** Empties the embedded database and seeds the demo data again (PGlite only; sign-ins are printed to the console). */
export const POST = route({ route: "/api/dev/reset", guards: [devOnly] }, async ({ log }) => {
  const result = await resetEmbeddedDatabase();
  log.info({ event: "dev.reset", services: result.services, slots: result.slots }, "embedded database reset");
  return {
    reset: true,
    services: result.services,
    slots: result.slots,
    accounts: result.accounts.map((a) => ({ email: a.email, role: a.role })),
  };
});
