import { getModes } from "@/lib/env";
import type { NotificationKind } from "../outbox";
import type { Locale } from "../types";
import { smsNumber } from "./phone";

/**
 * Which events go to which channels. Email always (it is the record the customer keeps); SMS in addition, for the
 * events a customer must not miss, only when the reservation has a number that takes SMS and the customer consented,
 * and only when SMS is configured (SMS_PROVIDER not off). Per locale, so a locale can be given a shorter list (for
 * now both languages send the same kinds; templates exist for both).
 */

export type Channel = "email" | "sms";

export type SmsPolicyReservation = { customerPhone: string | null; smsConsent: boolean };

export const SMS_KINDS: Readonly<Record<Locale, ReadonlySet<NotificationKind>>> = {
  ja: new Set<NotificationKind>(["confirmed", "reminder", "cancelled", "rescheduled", "payment_failed"]),
  en: new Set<NotificationKind>(["confirmed", "reminder", "cancelled", "rescheduled", "payment_failed"]),
};

/** The channels a notice of this kind goes out on, email first. */
export function channelsFor(
  kind: NotificationKind,
  reservation: SmsPolicyReservation | null,
  locale: Locale,
): Channel[] {
  return smsRecipientFor(kind, reservation, locale) ? ["email", "sms"] : ["email"];
}

/** The E.164 number an SMS of this kind goes to, or null when the policy sends none. */
export function smsRecipientFor(
  kind: NotificationKind,
  reservation: SmsPolicyReservation | null,
  locale: Locale,
): string | null {
  if (!reservation?.smsConsent || !reservation.customerPhone) return null;
  if (!(SMS_KINDS[locale] ?? SMS_KINDS.ja).has(kind)) return null;
  if (getModes().sms === "off") return null;
  return smsNumber(reservation.customerPhone);
}

export const smsPolicy = { channelsFor, smsRecipientFor, kinds: SMS_KINDS } as const;
