import "server-only";
import { and, eq } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { addDays, formatLocalDate, isoWeekday, localDateOf, zonedInstant } from "@/lib/time";
import { writeAudit, type Actor } from "@/server/audit";
import { asService } from "@/server/db";
import { services, slotRules, slots } from "@/server/db/schema";

/**
 * Weekly recurring rules ("every Tuesday 11:00, 8 seats") and the generator that turns them into slots N days
 * ahead. Generation is idempotent: slots are unique per (service, starts_at) and inserted with ON CONFLICT DO
 * NOTHING, so running it twice adds nothing and never touches existing slots or their reservations.
 */
export type RuleInput = {
  serviceId: string;
  weekday: number;
  startTime: string;
  capacity?: number;
  timezone?: string;
  validFrom?: string;
  validUntil?: string;
  actor: Actor;
  requestId?: string;
};

export async function createSlotRule(input: RuleInput): Promise<typeof slotRules.$inferSelect> {
  if (!Number.isInteger(input.weekday) || input.weekday < 1 || input.weekday > 7) {
    throw new AppError("validation_failed", "weekday: must be 1 (Monday) to 7 (Sunday)");
  }
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(input.startTime)) throw new AppError("validation_failed", "startTime: must be HH:MM");
  if (input.capacity !== undefined && (!Number.isInteger(input.capacity) || input.capacity < 1)) {
    throw new AppError("validation_failed", "capacity: must be a positive whole number");
  }
  // An unknown zone would be stored and then silently generate nothing (every local date comes out NaN).
  const timezone = input.timezone ?? getEnv().BUSINESS_TIMEZONE;
  if (!isTimeZone(timezone)) throw new AppError("validation_failed", "timezone: must be an IANA time zone such as Asia/Tokyo");
  for (const [field, value] of [["validFrom", input.validFrom], ["validUntil", input.validUntil]] as const) {
    if (value !== undefined && !isIsoDate(value)) throw new AppError("validation_failed", `${field}: must be a date YYYY-MM-DD`);
  }
  if (input.validFrom && input.validUntil && input.validFrom > input.validUntil) {
    throw new AppError("validation_failed", "validUntil: must not be before validFrom");
  }
  return asService(async (tx) => {
    const [service] = await tx.select({ id: services.id }).from(services).where(eq(services.id, input.serviceId));
    if (!service) throw new AppError("not_found", "No such service.");
    const [rule] = await tx
      .insert(slotRules)
      .values({
        serviceId: input.serviceId,
        weekday: input.weekday,
        startTime: input.startTime,
        capacity: input.capacity ?? null,
        timezone,
        validFrom: input.validFrom ?? null,
        validUntil: input.validUntil ?? null,
      })
      .returning();
    if (!rule) throw new Error("rule insert returned no row");
    await writeAudit(tx, {
      actor: input.actor,
      action: "slot_rule.created",
      entityType: "slot_rule",
      entityId: rule.id,
      after: { weekday: rule.weekday, startTime: rule.startTime, capacity: rule.capacity },
      requestId: input.requestId,
    });
    return rule;
  });
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export async function generateSlotsFromRules(options: { days: number; now?: Date; serviceId?: string }): Promise<{
  created: number;
  considered: number;
}> {
  const now = options.now ?? clock.now();
  return asService(async (tx) => {
    const rules = await tx
      .select({ rule: slotRules, service: services })
      .from(slotRules)
      .innerJoin(services, eq(services.id, slotRules.serviceId))
      .where(and(eq(slotRules.active, true), eq(services.active, true), options.serviceId ? eq(services.id, options.serviceId) : undefined));
    const rows: (typeof slots.$inferInsert)[] = [];
    for (const { rule, service } of rules) {
      const today = localDateOf(now, rule.timezone);
      const [hour, minute] = rule.startTime.split(":").map(Number) as [number, number];
      for (let d = 0; d < options.days; d++) {
        const date = addDays(today, d);
        const ymd = formatLocalDate(date);
        if (isoWeekday(date) !== rule.weekday) continue;
        if (rule.validFrom && ymd < rule.validFrom) continue;
        if (rule.validUntil && ymd > rule.validUntil) continue;
        const startsAt = zonedInstant(date, hour, minute, rule.timezone);
        if (startsAt <= now) continue;
        rows.push({
          serviceId: service.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + service.durationMinutes * 60_000),
          capacity: rule.capacity ?? service.defaultCapacity,
          ruleId: rule.id,
        });
      }
    }
    if (rows.length === 0) return { created: 0, considered: 0 };
    const inserted = await tx
      .insert(slots)
      .values(rows)
      .onConflictDoNothing({ target: [slots.serviceId, slots.startsAt] })
      .returning({ id: slots.id });
    return { created: inserted.length, considered: rows.length };
  });
}
