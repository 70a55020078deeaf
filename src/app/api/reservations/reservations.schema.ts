import { z } from "zod";
import { locales } from "@/lib/locale";

/** Shared by the API and the booking form, so both accept and reject exactly the same input. */
export const customerSchema = z.strictObject({
  name: z.string().trim().min(1, "required").max(100, "at most 100 characters"),
  email: z.string().trim().toLowerCase().pipe(z.email("must be an email address")).pipe(z.string().max(254)),
  phone: z
    .string()
    .trim()
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

export const cancelBody = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const rescheduleBody = z.strictObject({ slotId: z.uuid("must be a slot id (UUID)") });
