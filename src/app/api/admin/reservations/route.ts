import { z } from "zod";
import { route } from "@/lib/http";
import { paymentFilters, reservationSorts, searchReservations } from "@/server/admin/reservations";
import { requireRole } from "@/server/auth/guard";
import { reservationStatuses } from "@/server/db/schema";

export const dynamic = "force-dynamic";

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(",").map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).max(values.length));

const query = z.strictObject({
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

const staffOnly = async (req: Parameters<typeof requireRole>[0]) => {
  await requireRole(req, ["staff", "admin"]);
};

/**
 * Staff and admins: the reservation list every /manage page uses. The role is checked before the query is parsed
 * (401 without a token, 403 for customers), and again in the handler for the claims RLS runs with.
 */
export const GET = route({ route: "/api/admin/reservations", query, guards: [staffOnly] }, async ({ req, query }) => {
  const auth = await requireRole(req, ["staff", "admin"]);
  return searchReservations(auth, query);
});
