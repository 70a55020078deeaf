import { z } from "zod";
import { reservationStatuses } from "@/server/db/schema";
import { paymentFilters, reservationSorts } from "./reservations";

/** The reservation list's query (GET /api/admin/reservations and the /manage list and CSV export share it). */
const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(",").map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).max(values.length));

export const reservationQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).optional(),
  status: list(reservationStatuses).optional(),
  serviceId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  to: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  payment: z.enum(paymentFilters).optional(),
  sort: z.enum(reservationSorts).default("-createdAt"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

