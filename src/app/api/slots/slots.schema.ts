import { z } from "zod";
import { isoInstant } from "@/lib/date-input";

const MAX_RANGE_DAYS = 62;

export const slotsQuery = z
  .strictObject({
    serviceId: z.uuid({ message: "must be a service id (UUID)" }),
    from: isoInstant("must be an ISO 8601 date-time with offset")
      .transform((s) => new Date(s))
      .optional(),
    to: isoInstant("must be an ISO 8601 date-time with offset")
      .transform((s) => new Date(s))
      .optional(),
    source: z.enum(["db", "mock"]).default("db"),
  })
  .superRefine((q, ctx) => {
    // Runs even when a field failed (its transform then did not run), so only compare what parsed into dates.
    if (q.from instanceof Date && q.to instanceof Date) {
      if (q.to <= q.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
      else if (q.to.getTime() - q.from.getTime() > MAX_RANGE_DAYS * 86_400_000)
        ctx.addIssue({ code: "custom", path: ["to"], message: `range must be at most ${MAX_RANGE_DAYS} days` });
    }
  });

export type SlotsQuery = z.infer<typeof slotsQuery>;
