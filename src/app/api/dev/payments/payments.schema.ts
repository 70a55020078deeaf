import { z } from "zod";

/** Bodies of /api/dev/payments/** (the Stripe emulator's sandbox controls), shared with the sandbox checkout page. */

export const sandboxSessionParams = z.strictObject({ sessionId: z.string().min(1).max(255) });

export const sandboxPaymentBody = z.strictObject({ card: z.string().trim().min(1, "required").max(40) });
export type SandboxPaymentBody = z.infer<typeof sandboxPaymentBody>;

export type SandboxPaymentResponse =
  | { outcome: "succeeded"; sessionId: string; paymentIntentId: string; successUrl: string }
  | {
      outcome: "failed";
      sessionId: string;
      paymentIntentId: string | null;
      error: { code: string; declineCode: string | null; message: string };
    };

export const webhookControlBody = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("pause") }),
  z.strictObject({ action: z.literal("resume") }),
  z.strictObject({ action: z.literal("flush"), order: z.enum(["fifo", "reverse"]).default("fifo") }),
  z.strictObject({
    action: z.literal("redeliver"),
    eventId: z.string().regex(/^evt_\w+$/, "must be an event id (evt_…)"),
    copies: z.number().int().min(1).max(20).default(1),
    concurrent: z.boolean().default(true),
  }),
]);
export type WebhookControlBody = z.infer<typeof webhookControlBody>;
