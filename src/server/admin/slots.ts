import "server-only";
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AuthContext } from "@/server/auth/guard";
import type { SlotRule } from "@/server/booking/slot-rules";
import { asUser } from "@/server/db";
import { services, slotRules, slots } from "@/server/db/schema";
import { MAX_CALENDAR_DAYS, type SlotCalendarQuery, type SlotStatus } from "@/lib/schemas/admin-slots";
import { calendarWeek, instantOf } from "./slots-week";

/**
 * What the /manage slot screens read (and GET /api/admin/slots, GET /api/admin/slot-rules return): slots in a window
 * with their seats, the services for pickers, and the weekly rules. Every read runs as the signed-in staff member
 * under Row Level Security (asUser), so the database decides what they may see.
 */
export type AdminSlot = {
  id: string;
  service: { id: string; slug: string; nameJa: string; nameEn: string };
  startsAt: string;
  endsAt: string;
  capacity: number;
  /** Seats taken: held (awaiting payment) plus confirmed. */
  reserved: number;
  /** Of `reserved`, the seats still held pending payment. */
  held: number;
  status: SlotStatus;
  ruleId: string | null;
};

export type AdminService = {
  id: string;
  slug: string;
  nameJa: string;
  nameEn: string;
  durationMinutes: number;
  defaultCapacity: number;
  active: boolean;
};

export type AdminSlotRule = {
  id: string;
  service: { id: string; nameJa: string; nameEn: string };
  weekday: number;
  /** HH:MM in the rule's time zone. */
  startTime: string;
  /** Null: the service's default capacity. */
  capacity: number | null;
  timezone: string;
  validFrom: string | null;
  validUntil: string | null;
  active: boolean;
  createdAt: string;
};

/** Enough for a busy month of many services; beyond it the answer says `truncated` and the caller narrows the window. */
const MAX_SLOTS = 3000;

/** Seats held right now: a sum (bigint) read as a number on both drivers. */
const heldSeats =
  sql<number>`coalesce((select sum(r.quantity) from reservations r where r.slot_id = ${slots.id} and r.status = 'held'), 0)`.mapWith(
    Number,
  );

function selectSlots(auth: AuthContext, where: SQL | undefined, limit: number) {
  return asUser(auth.claims, (tx) =>
    tx
      .select({
        slot: slots,
        service: { id: services.id, slug: services.slug, nameJa: services.nameJa, nameEn: services.nameEn },
        held: heldSeats,
      })
      .from(slots)
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(where)
      .orderBy(slots.startsAt, services.sortOrder, services.slug)
      .limit(limit),
  );
}

function toAdminSlot({ slot, service, held }: Awaited<ReturnType<typeof selectSlots>>[number]): AdminSlot {
  return {
    id: slot.id,
    service,
    startsAt: slot.startsAt.toISOString(),
    endsAt: slot.endsAt.toISOString(),
    capacity: slot.capacity,
    reserved: slot.reserved,
    held,
    status: slot.status,
    ruleId: slot.ruleId,
  };
}

/** Slots starting in [from, to): by default the current week (Monday to Sunday in the business time zone). */
export async function listCalendarSlots(
  auth: AuthContext,
  query: SlotCalendarQuery,
): Promise<{ from: string; to: string; timeZone: string; slots: AdminSlot[]; truncated: boolean }> {
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const week = calendarWeek(undefined, clock.now(), timeZone);
  const from = query.from ? instantOf(query.from, timeZone) : week.from;
  const to = query.to
    ? instantOf(query.to, timeZone)
    : query.from
      ? new Date(from.getTime() + 7 * 86_400_000)
      : week.to;
  if (to <= from) {
    throw new AppError("validation_failed", "query.to: must be after from", {
      errors: [{ path: "query.to", message: "must be after from" }],
    });
  }
  if (to.getTime() - from.getTime() > MAX_CALENDAR_DAYS * 86_400_000) {
    const message = `the window may cover at most ${MAX_CALENDAR_DAYS} days`;
    throw new AppError("validation_failed", `query.to: ${message}`, { errors: [{ path: "query.to", message }] });
  }
  const inWindow = and(
    gte(slots.startsAt, from),
    lt(slots.startsAt, to),
    query.serviceId ? eq(slots.serviceId, query.serviceId) : undefined,
  );
  const rows = await selectSlots(auth, inWindow, MAX_SLOTS + 1);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone,
    slots: rows.slice(0, MAX_SLOTS).map(toAdminSlot),
    truncated: rows.length > MAX_SLOTS,
  };
}

export async function getAdminSlot(auth: AuthContext, slotId: string): Promise<AdminSlot | null> {
  const [row] = await selectSlots(auth, eq(slots.id, slotId), 1);
  return row ? toAdminSlot(row) : null;
}

/** Every service (inactive ones too, marked) for the filters and pickers. */
export async function listStaffServices(auth: AuthContext): Promise<AdminService[]> {
  return asUser(auth.claims, (tx) =>
    tx
      .select({
        id: services.id,
        slug: services.slug,
        nameJa: services.nameJa,
        nameEn: services.nameEn,
        durationMinutes: services.durationMinutes,
        defaultCapacity: services.defaultCapacity,
        active: services.active,
      })
      .from(services)
      .orderBy(desc(services.active), services.sortOrder, services.slug),
  );
}

export async function listSlotRules(auth: AuthContext, query: { serviceId?: string }): Promise<AdminSlotRule[]> {
  const rows = await asUser(auth.claims, (tx) =>
    tx
      .select({ rule: slotRules, service: { id: services.id, nameJa: services.nameJa, nameEn: services.nameEn } })
      .from(slotRules)
      .innerJoin(services, eq(services.id, slotRules.serviceId))
      .where(query.serviceId ? eq(slotRules.serviceId, query.serviceId) : undefined)
      .orderBy(desc(slotRules.active), services.sortOrder, services.slug, slotRules.weekday, slotRules.startTime),
  );
  return rows.map(({ rule, service }) => {
    const { serviceId: _serviceId, ...shape } = ruleResponse(rule);
    return { ...shape, service, createdAt: rule.createdAt.toISOString() };
  });
}

/** A rule as the API returns it (the same shape as the list, without the service names). */
export function ruleResponse(rule: SlotRule) {
  return {
    id: rule.id,
    serviceId: rule.serviceId,
    weekday: rule.weekday,
    // The time column reads back as HH:MM:SS.
    startTime: rule.startTime.slice(0, 5),
    capacity: rule.capacity,
    timezone: rule.timezone,
    validFrom: rule.validFrom,
    validUntil: rule.validUntil,
    active: rule.active,
  };
}
