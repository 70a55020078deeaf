import { z } from "zod";
import { clock } from "@/lib/clock";
import { isoInstant } from "@/lib/date-input";
import { getModes } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route } from "@/server/http/route";
import { devOnly } from "@/server/security/dev-guard";

export const dynamic = "force-dynamic";

const body = z.discriminatedUnion("action", [
  z.strictObject({
    action: z.literal("set"),
    to: isoInstant().transform((s) => new Date(s)),
    freeze: z.boolean().optional(),
  }),
  z.strictObject({
    action: z.literal("advance"),
    ms: z
      .number()
      .int()
      .min(1)
      .max(366 * 86_400_000),
  }),
  z.strictObject({ action: z.literal("reset") }),
]);

export const GET = route({ route: "/api/dev/clock", guards: [devOnly] }, async () => ({
  mode: getModes().clock,
  ...clock.describe(),
}));

/** Moves the test clock that clock.now() reads: set to an instant, advance by ms, or reset to the system time. */
export const POST = route({ route: "/api/dev/clock", guards: [devOnly], body }, async ({ body, log }) => {
  if (getModes().clock !== "test") {
    throw new AppError("invalid_state", "The clock is in system mode (CLOCK=system); it cannot be moved.");
  }
  if (body.action === "set") clock.set(body.to, { freeze: body.freeze });
  else if (body.action === "advance") clock.advance(body.ms);
  else clock.reset();
  const state = clock.describe();
  log.info({ event: "dev.clock", action: body.action, now: state.now }, "test clock moved");
  return { mode: "test", ...state };
});
