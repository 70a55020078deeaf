import { z } from "zod";
import { dayOrInstant } from "@/lib/date-input";
import { getEnv } from "@/lib/env";
import { text } from "@/lib/text";
import { addDays, zonedInstant } from "@/lib/time";
import {
  paymentFilters,
  reservationSorts,
  reservationStatuses,
  type PaymentFilter,
  type ReservationSort,
  type ReservationStatus,
} from "@/lib/schemas/reservation-list";

/**
 * The reservation list's query: GET /api/admin/reservations, the /manage/reservations page (its search params) and
 * the CSV export share it, so a filter URL means the same thing everywhere. A plain GET form sends empty fields
 * (`?q=&from=`), so a blank value counts as absent; repeated keys (`status=held&status=confirmed`, what checkboxes
 * send) and a comma list (`status=held,confirmed`) mean the same.
 */
export { pageSizes, paymentFilters, reservationQueryKeys, reservationSorts } from "@/lib/schemas/reservation-list";
export type { PaymentFilter, ReservationSort, ReservationStatus };

/** What searchReservations and the export run with (dates already turned into instants). */
export type ReservationFilter = {
  q?: string;
  status?: ReservationStatus[];
  serviceId?: string;
  /** Slot start, inclusive. */
  from?: Date;
  /** Slot start, exclusive. */
  to?: Date;
  payment?: PaymentFilter;
  sort: ReservationSort;
};

export type ReservationSearch = ReservationFilter & { page: number; pageSize: number };

const blank = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const statusList = z.preprocess(
  (v) => (Array.isArray(v) ? v.join(",") : v),
  z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(reservationStatuses)).max(reservationStatuses.length)),
);

/**
 * A calendar day (YYYY-MM-DD) is read in the business time zone: `from` is that day's midnight, `to` includes the
 * whole day (the next midnight, exclusive), so from=to=2030-01-07 is that one day. An instant with an offset is taken
 * as is (`to` exclusive), for API clients that want exact bounds.
 */
const bound = (end: boolean) =>
  dayOrInstant().transform((value) => {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!day) return new Date(value);
    const date = { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) };
    return zonedInstant(end ? addDays(date, 1) : date, 0, 0, getEnv().BUSINESS_TIMEZONE);
  });

const filterFields = {
  q: blank(text({ min: 1, max: 100 })),
  status: blank(statusList),
  serviceId: blank(z.uuid()),
  from: blank(bound(false)),
  to: blank(bound(true)),
  payment: blank(z.enum(paymentFilters)),
  sort: blank(z.enum(reservationSorts)).transform((v) => v ?? "-createdAt"),
};

const checkRange = (q: { from?: Date; to?: Date }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
};

export const reservationQuery = z
  .strictObject({
    ...filterFields,
    page: blank(z.coerce.number().int().min(1).max(100_000)).transform((v) => v ?? 1),
    pageSize: blank(z.coerce.number().int().min(1).max(100)).transform((v) => v ?? 25),
  })
  .superRefine(checkRange);

/** The export takes the same filters and sort, without pages (it streams every matching row). */
export const reservationExportQuery = z.strictObject(filterFields).superRefine(checkRange);
