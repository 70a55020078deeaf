import type { EmailAttachment } from "../types";
import type { TemplateContext } from "./context";
import { common } from "./content";
import { buildIcs } from "./ics";

const PRODUCT_ID = "-//slotbook//Booking notifications//EN";

export function calendarFilename(code: string): string {
  return `${code}.ics`;
}

/**
 * The reservation as a calendar event (METHOD:PUBLISH). The UID is the reservation's, so an updated file after a
 * reschedule replaces the event; SEQUENCE is the payload's `revision` (the reservation version) when given, else
 * `defaultSequence`. DTSTAMP is the payload's `issuedAt` when given: the template never reads the clock, so the
 * same input always gives the same file (falling back to the start instant keeps it deterministic).
 */
export function calendarAttachment(ctx: TemplateContext, defaultSequence: number): EmailAttachment[] {
  const r = ctx.reservation;
  if (!r) return [];
  const manage = ctx.input.links.manage;
  const copy = common[ctx.locale];
  const description = [
    `${copy.code}: ${r.code}`,
    `${copy.quantity}: ${copy.people(r.quantity)}`,
    ...(manage ? [`${copy.manage}: ${manage}`] : []),
  ].join("\n");
  const revision = ctx.number("revision");
  const issuedAt = ctx.text("issuedAt");
  const content = buildIcs({
    productId: PRODUCT_ID,
    method: "PUBLISH",
    event: {
      uid: `${r.id}@slotbook`,
      sequence: revision !== undefined && revision >= 0 ? Math.trunc(revision) : defaultSequence,
      stamp: issuedAt && !Number.isNaN(Date.parse(issuedAt)) ? issuedAt : r.startsAt,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      summary: r.serviceName,
      description,
      url: manage,
    },
  });
  return [{ filename: calendarFilename(r.code), content, contentType: "text/calendar; charset=utf-8; method=PUBLISH" }];
}
