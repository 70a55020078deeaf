import "server-only";
import { eq } from "drizzle-orm";
import { appBaseUrl, getEnv } from "@/lib/env";
import { manageTokenFor } from "@/server/booking/codes";
import { asService } from "@/server/db";
import { reservations, services, slots } from "@/server/db/schema";
import type { NotificationKind } from "./outbox";
import type { TemplateInput } from "./types";

/** The parts of an outbox row a template's input is built from (the dispatcher's claimed row, or a preview's). */
export type TemplateRow = {
  reservation_id: string | null;
  kind: NotificationKind;
  locale: string;
  payload: Record<string, unknown>;
  revision?: number;
  created_at?: string;
};

/** Everything a template may show, loaded fresh at send time; links from APP_BASE_URL only. */
export async function templateInput(row: TemplateRow): Promise<TemplateInput> {
  const env = getEnv();
  const base = appBaseUrl();
  const locale = row.locale === "en" ? "en" : "ja";
  const input: TemplateInput = {
    kind: row.kind,
    locale,
    timeZone: env.BUSINESS_TIMEZONE,
    businessName: "slotbook",
    reservation: null,
    links: { site: base, ...signInLinkOf(row, base) },
    // The calendar attachment's SEQUENCE and DTSTAMP: templates are pure and read no clock.
    payload: {
      ...(row.payload ?? {}),
      ...(row.revision !== undefined ? { revision: row.revision } : {}),
      ...(row.created_at ? { issuedAt: new Date(row.created_at).toISOString() } : {}),
    },
  };
  if (!row.reservation_id) return input;
  const [found] = await asService((tx) =>
    tx
      .select({ r: reservations, slot: slots, service: services })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(eq(reservations.id, row.reservation_id as string)),
  );
  if (!found) return input;
  const { r, slot, service } = found;
  input.reservation = {
    id: r.id,
    code: r.code,
    status: r.status,
    serviceName: locale === "en" ? service.nameEn : service.nameJa,
    startsAt: slot.startsAt.toISOString(),
    endsAt: slot.endsAt.toISOString(),
    quantity: r.quantity,
    amount: { amount: r.amount, currency: r.currency },
    customerName: r.customerName,
    holdExpiresAt: r.holdExpiresAt?.toISOString() ?? null,
  };
  // Staff alerts never carry the guest's link (it is the guest's key to the booking).
  if (r.manageTokenHash && row.kind !== "staff_alert") {
    const token = encodeURIComponent(manageTokenFor(r.id).token);
    const code = encodeURIComponent(r.code);
    input.links.manage = `${base}/reservations/${code}?token=${token}`;
    input.links.pay = `${base}/reservations/${code}/pay?token=${token}`;
  }
  return input;
}

/**
 * The sign-in link of a sign_in_link row (src/server/auth/emails.ts puts it in the payload): only a link on this
 * site's own /auth/confirm is used, so a row can never make the app mail a link elsewhere.
 */
function signInLinkOf(row: Pick<TemplateRow, "kind" | "payload">, base: string): { signIn?: string } {
  const url = row.kind === "sign_in_link" ? row.payload?.signInUrl : undefined;
  return typeof url === "string" && url.startsWith(`${base}/auth/confirm?`) ? { signIn: url } : {};
}
