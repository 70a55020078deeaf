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
  reason?: string;
  requestId?: string;
};

export type SlotRule = typeof slotRules.$inferSelect;

export async function createSlotRule(input: RuleInput): Promise<SlotRule> {
  const { weekday, startTime, ...rest } = input;
  const [rule] = await createSlotRules({ ...rest, weekdays: [weekday], startTimes: [startTime] });
  if (!rule) throw new Error("rule insert returned no row");
  return rule;
}

/**
 * One rule per weekday × start time ("Tue and Thu at 10:00 and 14:00" is four rules), all or none, one audit row each.
 * An active rule that already covers one of them is a conflict: it would only generate the same slots again. (Checked,
 * not constrained: two simultaneous identical requests could both pass, which is harmless because generation is
 * idempotent per service and start.)
 */
export async function createSlotRules(
  input: Omit<RuleInput, "weekday" | "startTime"> & { weekdays: number[]; startTimes: string[] },
): Promise<SlotRule[]> {
  if (input.weekdays.length === 0 || input.startTimes.length === 0) {
    throw new AppError("validation_failed", "weekdays: choose at least one weekday and one start time");
  }
  for (const weekday of input.weekdays) {
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
      throw new AppError("validation_failed", "weekday: must be 1 (Monday) to 7 (Sunday)");
  }
  for (const startTime of input.startTimes) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(startTime))
      throw new AppError("validation_failed", "startTime: must be HH:MM");
  }
  if (input.capacity !== undefined && (!Number.isInteger(input.capacity) || input.capacity < 1)) {
    throw new AppError("validation_failed", "capacity: must be a positive whole number");
  }
  // An unknown zone would be stored and then silently generate nothing (every local date comes out NaN).
  const timezone = input.timezone ?? getEnv().BUSINESS_TIMEZONE;
  if (!isTimeZone(timezone))
    throw new AppError("validation_failed", "timezone: must be an IANA time zone such as Asia/Tokyo");
  for (const [field, value] of [
    ["validFrom", input.validFrom],
    ["validUntil", input.validUntil],
  ] as const) {
    if (value !== undefined && !isIsoDate(value))
      throw new AppError("validation_failed", `${field}: must be a date YYYY-MM-DD`);
  }
  if (input.validFrom && input.validUntil && input.validFrom > input.validUntil) {
    throw new AppError("validation_failed", "validUntil: must not be before validFrom");
  }
  const combos = [...new Set(input.weekdays)].flatMap((weekday) =>
    [...new Set(input.startTimes)].map((startTime) => ({ weekday, startTime })),
  );
  return asService(async (tx) => {
    const [service] = await tx.select({ id: services.id }).from(services).where(eq(services.id, input.serviceId));
    if (!service) throw new AppError("not_found", "No such service.");
    const active = await tx
      .select({ weekday: slotRules.weekday, startTime: slotRules.startTime })
      .from(slotRules)
      .where(and(eq(slotRules.serviceId, input.serviceId), eq(slotRules.active, true)));
    // The time column reads back as HH:MM:SS.
    const clash = combos.find((c) =>
      active.some((a) => a.weekday === c.weekday && a.startTime.slice(0, 5) === c.startTime),
    );
    if (clash)
      throw new AppError(
        "conflict",
        `An active rule already repeats on weekday ${clash.weekday} at ${clash.startTime}.`,
      );
    const rules = await tx
      .insert(slotRules)
      .values(
        combos.map((c) => ({
          serviceId: input.serviceId,
          weekday: c.weekday,
          startTime: c.startTime,
          capacity: input.capacity ?? null,
          timezone,
          validFrom: input.validFrom ?? null,
          validUntil: input.validUntil ?? null,
        })),
      )
      .returning();
    for (const rule of rules) {
      await writeAudit(tx, {
        actor: input.actor,
        action: "slot_rule.created",
        entityType: "slot_rule",
        entityId: rule.id,
        after: ruleSummary(rule),
        reason: input.reason,
        requestId: input.requestId,
      });
    }
    return rules;
  });
}

/** Pauses (or resumes) a rule: generation skips inactive rules; slots it already made stay as they are. */
export async function setSlotRuleActive(input: {
  ruleId: string;
  active: boolean;
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<SlotRule> {
  return asService(async (tx) => {
    const [before] = await tx.select().from(slotRules).where(eq(slotRules.id, input.ruleId)).for("update");
    if (!before) throw new AppError("not_found", "No such slot rule.");
    const [after] = await tx
      .update(slotRules)
      .set({ active: input.active, updatedAt: clock.now() })
      .where(eq(slotRules.id, input.ruleId))
      .returning();
    if (!after) throw new Error("rule update returned no row");
    await writeAudit(tx, {
      actor: input.actor,
      action: input.active ? "slot_rule.activated" : "slot_rule.deactivated",
      entityType: "slot_rule",
      entityId: after.id,
      before: ruleSummary(before),
      after: ruleSummary(after),
      reason: input.reason,
      requestId: input.requestId,
    });
    return after;
  });
}

/** Deletes a rule. Slots it generated keep existing (with their reservations); their rule_id then names a past rule. */
export async function deleteSlotRule(input: {
  ruleId: string;
  actor: Actor;
  reason?: string;
  requestId?: string;
}): Promise<SlotRule> {
  return asService(async (tx) => {
    const [deleted] = await tx.delete(slotRules).where(eq(slotRules.id, input.ruleId)).returning();
    if (!deleted) throw new AppError("not_found", "No such slot rule.");
    await writeAudit(tx, {
      actor: input.actor,
      action: "slot_rule.deleted",
      entityType: "slot_rule",
      entityId: deleted.id,
      before: ruleSummary(deleted),
      reason: input.reason,
      requestId: input.requestId,
    });
    return deleted;
  });
}

function ruleSummary(rule: SlotRule) {
  return {
    serviceId: rule.serviceId,
    weekday: rule.weekday,
    startTime: rule.startTime,
    capacity: rule.capacity,
    timezone: rule.timezone,
    validFrom: rule.validFrom,
    validUntil: rule.validUntil,
    active: rule.active,
  };
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

/** How far ahead one run may generate (the script's bound too). */
export const MAX_GENERATE_DAYS = 366;

/**
 * With an actor (a staff member's "generate now"), one audit row records the run and its outcome, even when it
 * created nothing; the scheduled job and the script run without one.
 */
export async function generateSlotsFromRules(options: {
  days: number;
  now?: Date;
  serviceId?: string;
  actor?: Actor;
  reason?: string;
  requestId?: string;
}): Promise<{ created: number; considered: number }> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > MAX_GENERATE_DAYS) {
    throw new AppError("validation_failed", `days: must be a whole number from 1 to ${MAX_GENERATE_DAYS}`);
  }
  const now = options.now ?? clock.now();
  return asService(async (tx) => {
    if (options.serviceId) {
      const [service] = await tx.select({ id: services.id }).from(services).where(eq(services.id, options.serviceId));
      if (!service) throw new AppError("not_found", "No such service.");
    }
    const rules = await tx
      .select({ rule: slotRules, service: services })
      .from(slotRules)
      .innerJoin(services, eq(services.id, slotRules.serviceId))
      .where(
        and(
          eq(slotRules.active, true),
          eq(services.active, true),
          options.serviceId ? eq(services.id, options.serviceId) : undefined,
        ),
      );
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
    const inserted = rows.length
      ? await tx
          .insert(slots)
          .values(rows)
          .onConflictDoNothing({ target: [slots.serviceId, slots.startsAt] })
          .returning({ id: slots.id })
      : [];
    const result = { created: inserted.length, considered: rows.length };
    if (options.actor) {
      await writeAudit(tx, {
        actor: options.actor,
        action: "slot_rule.generated",
        entityType: "slot_generation",
        entityId: options.serviceId ?? "all-services",
        after: { days: options.days, ...result },
        reason: options.reason,
        requestId: options.requestId,
      });
    }
    return result;
  });
}
