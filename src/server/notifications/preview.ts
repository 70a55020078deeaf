import "server-only";
import { aliasedTable, desc, eq } from "drizzle-orm";
import { appBaseUrl, getEnv } from "@/lib/env";
import { asService } from "@/server/db";
import { reservations, reservationSlotChanges, services, slots } from "@/server/db/schema";
import { notificationKinds, type NotificationKind } from "@/server/notifications/outbox";
import type { Locale, TemplateInput } from "@/server/notifications/types";
import { isUuid } from "@/lib/uuid";

/**
 * Data for the email previews (/dev/email/preview, mocks only): a real reservation from the database turned into
 * the TemplateInput the dispatcher would build, with sample payload values where the real one comes from an event
 * (refund amount, staff alert message…). Links come from APP_BASE_URL, like the dispatcher's.
 */

/** The URL names of the templates; the kinds themselves are accepted too (/dev/email/preview/confirmed/…). */
export const templateSlugs = {
  confirmation: "confirmed",
  reminder: "reminder",
  cancellation: "cancelled",
  reschedule: "rescheduled",
  "payment-failed": "payment_failed",
  refund: "refunded",
  "late-payment-refund": "late_payment_refund",
  "sign-in-link": "sign_in_link",
  "staff-alert": "staff_alert",
  "staff-message": "staff_message",
} as const satisfies Record<string, NotificationKind>;

export type TemplateSlug = keyof typeof templateSlugs;

export function kindFromSlug(slug: string): NotificationKind | undefined {
  if (Object.hasOwn(templateSlugs, slug)) return templateSlugs[slug as TemplateSlug];
  return notificationKinds.find((kind) => kind === slug);
}

export type PreviewSource = { input: TemplateInput; recipient: string; reservationLocale: Locale };

/** The reservation `rid` (its id or its public code) as the input of a `kind` email; null when there is none. */
export async function loadPreviewInput(
  kind: NotificationKind,
  rid: string,
  locale?: Locale,
): Promise<PreviewSource | null> {
  if (rid.length > 64) return null;
  const found = await asService(async (tx) => {
    const [row] = await tx
      .select({ r: reservations, slot: slots, service: services })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(isUuid(rid) ? eq(reservations.id, rid) : eq(reservations.code, rid.toUpperCase()))
      .limit(1);
    if (!row || kind !== "rescheduled") return row && { ...row, previous: undefined };
    const fromSlot = aliasedTable(slots, "from_slot");
    const [change] = await tx
      .select({ startsAt: fromSlot.startsAt, endsAt: fromSlot.endsAt })
      .from(reservationSlotChanges)
      .innerJoin(fromSlot, eq(fromSlot.id, reservationSlotChanges.fromSlotId))
      .where(eq(reservationSlotChanges.reservationId, row.r.id))
      .orderBy(desc(reservationSlotChanges.createdAt))
      .limit(1);
    return { ...row, previous: change };
  });
  if (!found) return null;

  const { r, slot, service, previous } = found;
  const reservationLocale: Locale = r.locale === "en" ? "en" : "ja";
  const effectiveLocale = locale ?? reservationLocale;
  const base = appBaseUrl();
  const path = `${base}/reservations/${encodeURIComponent(r.code)}`;
  // A placeholder, never the real token: the preview must not hand out a working manage link.
  const token = "preview-token";
  const money = { amount: r.amount, currency: r.currency };
  // A preview of a payment notice for a reservation that is no longer held still shows a deadline: 30 minutes
  // after booking, the usual hold.
  const holdExpiresAt =
    r.holdExpiresAt ?? (kind === "payment_failed" ? new Date(r.createdAt.getTime() + 30 * 60_000) : null);

  const input: TemplateInput = {
    kind,
    locale: effectiveLocale,
    timeZone: getEnv().BUSINESS_TIMEZONE,
    businessName: "slotbook",
    reservation:
      kind === "sign_in_link"
        ? null
        : {
            id: r.id,
            code: r.code,
            status: r.status,
            serviceName: effectiveLocale === "en" ? service.nameEn : service.nameJa,
            startsAt: slot.startsAt.toISOString(),
            endsAt: slot.endsAt.toISOString(),
            quantity: r.quantity,
            amount: money,
            customerName: r.customerName,
            holdExpiresAt: holdExpiresAt?.toISOString() ?? null,
          },
    links: {
      site: base,
      manage: `${path}?token=${token}`,
      pay: `${path}/pay?token=${token}`,
      signIn: `${base}/auth/callback?code=preview-sample-code`,
    },
    payload: samplePayload(kind, effectiveLocale, {
      code: r.code,
      version: r.version,
      issuedAt: r.updatedAt,
      money,
      previous,
    }),
  };
  return { input, recipient: r.customerEmail, reservationLocale };
}

function samplePayload(
  kind: NotificationKind,
  locale: Locale,
  r: {
    code: string;
    version: number;
    issuedAt: Date;
    money: { amount: number; currency: string };
    previous: { startsAt: Date; endsAt: Date } | undefined;
  },
): Record<string, unknown> {
  const base = { code: r.code, revision: r.version, issuedAt: r.issuedAt.toISOString() };
  switch (kind) {
    case "cancelled":
      return r.money.amount > 0 ? { ...base, refundAmount: r.money.amount, currency: r.money.currency } : base;
    case "refunded":
    case "late_payment_refund":
      return { ...base, amount: r.money.amount, currency: r.money.currency };
    case "rescheduled":
      return r.previous
        ? {
            ...base,
            previousStartsAt: r.previous.startsAt.toISOString(),
            previousEndsAt: r.previous.endsAt.toISOString(),
          }
        : base;
    case "sign_in_link":
      return { expiresInMinutes: 60 };
    case "staff_alert":
      return {
        ...base,
        alert: "late_payment_manual",
        message: `Payment for ${r.code} arrived after its hold expired and the slot is full. Refund it or re-acquire a seat by hand.`,
      };
    case "staff_message":
      return { ...base, ...sampleStaffMessage[locale] };
    default:
      return base;
  }
}

/** What a staff member might write (in the customer's language, as they would), with a paragraph and a line break. */
const sampleStaffMessage: Record<Locale, { subject: string; message: string }> = {
  ja: {
    subject: "ご来店時のお願い",
    message:
      "いつもご利用いただきありがとうございます。\n当日は建物の正面入口が工事のため閉鎖されております。\n\n恐れ入りますが、裏手の通用口からお入りください。",
  },
  en: {
    subject: "Before your visit",
    message:
      "Thank you for booking with us.\nThe front entrance of the building is closed for works on the day.\n\nPlease use the side entrance at the back.",
  },
};

export type RecentReservation = {
  id: string;
  code: string;
  status: string;
  locale: string;
  customerName: string;
  serviceName: string;
  startsAt: string;
  createdAt: string;
};

export async function recentReservations(limit = 10): Promise<RecentReservation[]> {
  const rows = await asService((tx) =>
    tx
      .select({
        id: reservations.id,
        code: reservations.code,
        status: reservations.status,
        locale: reservations.locale,
        customerName: reservations.customerName,
        serviceName: services.nameJa,
        startsAt: slots.startsAt,
        createdAt: reservations.createdAt,
      })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .orderBy(desc(reservations.createdAt))
      .limit(limit),
  );
  return rows.map((row) => ({ ...row, startsAt: row.startsAt.toISOString(), createdAt: row.createdAt.toISOString() }));
}
