import { z } from "zod";
import { locales } from "@/lib/locale";
import { text } from "@/lib/text";

/** Shared by the API and the booking form, so both accept and reject exactly the same input. */
export const customerSchema = z.strictObject({
  name: text({ min: 1, max: 100, minMessage: "required" }),
  email: text({ max: 254 }).toLowerCase().pipe(z.email("must be an email address")),
  phone: text({ max: 20 })
    .regex(/^\+?[0-9 ()-]{7,20}$/, "must be a phone number")
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export const holdBody = z.strictObject({
  slotId: z.uuid("must be a slot id (UUID)"),
  quantity: z.number().int("must be a whole number"),
  customer: customerSchema,
  locale: z.enum(locales).default("ja"),
  /** Consent to text messages about this booking (needs a phone number); docs/notifications.md. */
  smsConsent: z.boolean().default(false),
});
export type HoldBody = z.infer<typeof holdBody>;

export const reservationParams = z.strictObject({ id: z.uuid("must be a reservation id (UUID)") });

/** The manage token travels as ?token= (from the email link) or the X-Manage-Token header. */
export const tokenQuery = z.strictObject({ token: z.string().min(20).max(200).optional() });

export const cancelBody = z.strictObject({ reason: text({ max: 500, multiline: true }).optional() });

export const rescheduleBody = z.strictObject({ slotId: z.uuid("must be a slot id (UUID)") });
