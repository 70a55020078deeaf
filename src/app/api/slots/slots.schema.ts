import { z } from "zod";

const MAX_RANGE_DAYS = 62;

export const slotsQuery = z
  .strictObject({
    serviceId: z.uuid({ message: "must be a service id (UUID)" }),
    from: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with offset" }).transform((s) => new Date(s)).optional(),
    to: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with offset" }).transform((s) => new Date(s)).optional(),
    source: z.enum(["db", "mock"]).default("db"),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to) {
      if (q.to <= q.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
      else if (q.to.getTime() - q.from.getTime() > MAX_RANGE_DAYS * 86_400_000)
        ctx.addIssue({ code: "custom", path: ["to"], message: `range must be at most ${MAX_RANGE_DAYS} days` });
    }
  });

export type SlotsQuery = z.infer<typeof slotsQuery>;
