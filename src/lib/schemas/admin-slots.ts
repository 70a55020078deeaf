import { z } from "zod";
import { dayOrInstant, isoDay } from "@/lib/date-input";
import { reasonField } from "@/lib/reason";
import { text } from "@/lib/text";

/**
 * Request schemas of the slot admin API (/api/admin/slots, /api/admin/slot-rules). No server-only imports: the
 * /manage/slots forms use the same limits. Every change carries a reason (1–500 characters) for its audit row.
 */
export const SLOT_STATUSES = ["open", "closed", "cancelled"] as const;
export type SlotStatus = (typeof SLOT_STATUSES)[number];

export const MAX_CAPACITY = 10_000;
/** The CSV body limit: 5,000 rows of a few dozen bytes fit many times over. */
export const MAX_IMPORT_BYTES = 1_048_576;
/** The longest window one calendar request may cover (a month view plus margins). */
export const MAX_CALENDAR_DAYS = 62;
/** "Generate now" horizon, as the domain verb allows. */
export const MAX_GENERATE_DAYS = 366;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (24 h).");

export const slotIdParams = z.strictObject({ id: z.uuid() });

/** `from` / `to`: a day (YYYY-MM-DD, midnight in the business time zone) or an instant with offset; `to` is exclusive. */
export const slotCalendarQuery = z.strictObject({
  from: dayOrInstant().optional(),
  to: dayOrInstant().optional(),
  serviceId: z.uuid().optional(),
});
export type SlotCalendarQuery = z.infer<typeof slotCalendarQuery>;

export const createSlotBody = z.strictObject({
  serviceId: z.uuid(),
  /** The start as the business time zone's wall clock (Asia/Tokyo by default). */
  date: isoDay(),
  time: hhmm,
  /** Omitted: the service's default capacity. */
  capacity: z.number().int().min(1).max(MAX_CAPACITY).optional(),
  reason: reasonField,
});

export const updateSlotBody = z
  .strictObject({
    capacity: z.number().int().min(0).max(MAX_CAPACITY).optional(),
    status: z.enum(SLOT_STATUSES).optional(),
    reason: reasonField,
  })
  .refine((b) => b.capacity !== undefined || b.status !== undefined, {
    message: "Change the capacity, the status or both.",
    path: ["capacity"],
  });

export const ruleQuery = z.strictObject({ serviceId: z.uuid().optional() });

export const createRulesBody = z
  .strictObject({
    serviceId: z.uuid(),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    startTimes: z.array(hhmm).min(1).max(24),
    capacity: z.number().int().min(1).max(MAX_CAPACITY).optional(),
    validFrom: isoDay().optional(),
    validUntil: isoDay().optional(),
    reason: reasonField,
  })
  .refine((b) => !b.validFrom || !b.validUntil || b.validFrom <= b.validUntil, {
    message: "Must not be before validFrom.",
    path: ["validUntil"],
  });

export const updateRuleBody = z.strictObject({ active: z.boolean(), reason: reasonField });
export const deleteRuleBody = z.strictObject({ reason: reasonField });

export const generateBody = z.strictObject({
  days: z.number().int().min(1).max(MAX_GENERATE_DAYS),
  serviceId: z.uuid().optional(),
  reason: reasonField,
});

export const importBody = z
  .strictObject({
    csv: text({ min: 1, max: MAX_IMPORT_BYTES, multiline: true, trim: false }),
    dryRun: z.boolean(),
    /** The preview's digest; the commit then creates exactly the previewed rows or nothing (409). */
    digest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    reason: reasonField.optional(),
  })
  .refine((b) => b.dryRun || b.reason !== undefined, { message: "Give a reason for the import.", path: ["reason"] });
