/**
 * The reservation list's vocabulary, shared by the server (the Drizzle schema's reservation and payment status columns, the list query in
 * src/server/admin/reservation-query.ts) and the /manage/reservations components (filters, links). Plain data: no
 * server-only imports, so components may import it.
 */
export const reservationStatuses = ["held", "confirmed", "cancelled", "expired", "no_show"] as const;
export const reservationSorts = ["startsAt", "-startsAt", "createdAt", "-createdAt", "code", "-code"] as const;
export const paymentStatuses = [
  "pending",
  "succeeded",
  "failed",
  "expired",
  "cancelled",
  "refunded",
  "partially_refunded",
] as const;
/** A payment's status, or "none" for a reservation without a payment. */
export const paymentFilters = ["none", ...paymentStatuses] as const;
export const pageSizes = [25, 50, 100] as const;

export type ReservationStatus = (typeof reservationStatuses)[number];
export type ReservationSort = (typeof reservationSorts)[number];
export type PaymentFilter = (typeof paymentFilters)[number];

/** The query-string keys the list understands, in the order links are built with. */
export const reservationQueryKeys = [
  "q",
  "status",
  "serviceId",
  "from",
  "to",
  "payment",
  "sort",
  "page",
  "pageSize",
] as const;
