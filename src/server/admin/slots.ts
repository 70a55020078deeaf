import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AuthContext } from "@/server/auth/guard";
import type { SlotRule } from "@/server/booking/slot-rules";
import { asUser } from "@/server/db";
import { queryRows } from "@/server/db/client";
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

export type AdminService = { id: string; slug: string; nameJa: string; nameEn: string; durationMinutes: number; defaultCapacity: number; active: boolean };

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

type SlotRow = {
  id: string;
  service_id: string;
  slug: string;
  name_ja: string;
  name_en: string;
  starts_at: string | Date;
  ends_at: string | Date;
  capacity: number;
  reserved: number;
  held: number;
  status: SlotStatus;
  rule_id: string | null;
};

const iso = (v: string | Date) => new Date(v).toISOString();

function toAdminSlot(r: SlotRow): AdminSlot {
  return {
    id: r.id,
    service: { id: r.service_id, slug: r.slug, nameJa: r.name_ja, nameEn: r.name_en },
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    capacity: Number(r.capacity),
    reserved: Number(r.reserved),
    held: Number(r.held),
    status: r.status,
    ruleId: r.rule_id,
  };
}

function selectSlots(auth: AuthContext, where: SQL, limit: number): Promise<SlotRow[]> {
  return asUser(auth.claims, (tx) =>
    queryRows<SlotRow>(
      tx,
      sql`select s.id, s.service_id, sv.slug, sv.name_ja, sv.name_en, s.starts_at, s.ends_at, s.capacity, s.reserved,
                 s.status, s.rule_id::text as rule_id,
                 coalesce((select sum(r.quantity) from reservations r where r.slot_id = s.id and r.status = 'held'), 0)::int as held
            from slots s join services sv on sv.id = s.service_id
           where ${where}
           order by s.starts_at, sv.sort_order, sv.slug
           limit ${limit}`,
    ),
  );
}

/** Slots starting in [from, to): by default the current week (Monday to Sunday in the business time zone). */
export async function listCalendarSlots(
  auth: AuthContext,
  query: SlotCalendarQuery,
): Promise<{ from: string; to: string; timeZone: string; slots: AdminSlot[]; truncated: boolean }> {
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const week = calendarWeek(undefined, clock.now(), timeZone);
  const from = query.from ? instantOf(query.from, timeZone) : week.from;
  const to = query.to ? instantOf(query.to, timeZone) : query.from ? new Date(from.getTime() + 7 * 86_400_000) : week.to;
  if (to <= from) {
    throw new AppError("validation_failed", "query.to: must be after from", { errors: [{ path: "query.to", message: "must be after from" }] });
  }
  if (to.getTime() - from.getTime() > MAX_CALENDAR_DAYS * 86_400_000) {
    const message = `the window may cover at most ${MAX_CALENDAR_DAYS} days`;
    throw new AppError("validation_failed", `query.to: ${message}`, { errors: [{ path: "query.to", message }] });
  }
  const filters = [sql`s.starts_at >= ${from.toISOString()}::timestamptz`, sql`s.starts_at < ${to.toISOString()}::timestamptz`];
  if (query.serviceId) filters.push(sql`s.service_id = ${query.serviceId}::uuid`);
  const rows = await selectSlots(auth, sql.join(filters, sql` and `), MAX_SLOTS + 1);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone,
    slots: rows.slice(0, MAX_SLOTS).map(toAdminSlot),
    truncated: rows.length > MAX_SLOTS,
  };
}

export async function getAdminSlot(auth: AuthContext, slotId: string): Promise<AdminSlot | null> {
  const [row] = await selectSlots(auth, sql`s.id = ${slotId}::uuid`, 1);
  return row ? toAdminSlot(row) : null;
}

/** Every service (inactive ones too, marked) for the filters and pickers. */
export async function listStaffServices(auth: AuthContext): Promise<AdminService[]> {
  const rows = await asUser(auth.claims, (tx) =>
    queryRows<{ id: string; slug: string; name_ja: string; name_en: string; duration_minutes: number; default_capacity: number; active: boolean }>(
      tx,
      sql`select id, slug, name_ja, name_en, duration_minutes, default_capacity, active from services order by active desc, sort_order, slug`,
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    nameJa: r.name_ja,
    nameEn: r.name_en,
    durationMinutes: Number(r.duration_minutes),
    defaultCapacity: Number(r.default_capacity),
    active: r.active,
  }));
}

export async function listSlotRules(auth: AuthContext, query: { serviceId?: string }): Promise<AdminSlotRule[]> {
  const rows = await asUser(auth.claims, (tx) =>
    queryRows<{
      id: string;
      service_id: string;
      name_ja: string;
      name_en: string;
      weekday: number;
      start_time: string;
      capacity: number | null;
      timezone: string;
      valid_from: string | Date | null;
      valid_until: string | Date | null;
      active: boolean;
      created_at: string | Date;
    }>(
      tx,
      sql`select r.id, r.service_id, sv.name_ja, sv.name_en, r.weekday, to_char(r.start_time, 'HH24:MI') as start_time,
                 r.capacity, r.timezone, to_char(r.valid_from, 'YYYY-MM-DD') as valid_from,
                 to_char(r.valid_until, 'YYYY-MM-DD') as valid_until, r.active, r.created_at
            from slot_rules r join services sv on sv.id = r.service_id
           ${query.serviceId ? sql`where r.service_id = ${query.serviceId}::uuid` : sql``}
           order by r.active desc, sv.sort_order, sv.slug, r.weekday, r.start_time`,
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    service: { id: r.service_id, nameJa: r.name_ja, nameEn: r.name_en },
    weekday: Number(r.weekday),
    startTime: r.start_time,
    capacity: r.capacity === null ? null : Number(r.capacity),
    timezone: r.timezone,
    validFrom: r.valid_from === null ? null : String(r.valid_from),
    validUntil: r.valid_until === null ? null : String(r.valid_until),
    active: r.active,
    createdAt: iso(r.created_at),
  }));
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
