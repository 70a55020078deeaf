import { getEnv } from "@/lib/env";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";
import { adminRoute } from "@/server/admin/http";
import { exportReservationsCsv } from "@/server/admin/reservation-export";
import { reservationExportQuery } from "@/server/admin/reservation-query";

export const dynamic = "force-dynamic";

/**
 * Staff and admins: the filtered reservation list as a streamed CSV download (same filters and sort as
 * GET /api/admin/reservations, without pages). Column headers in the caller's language (locale cookie, Japanese by
 * default). Writes a `reservations.exported` audit row before streaming.
 */
export const GET = adminRoute(
  { route: "/api/admin/reservations/export", query: reservationExportQuery },
  async ({ req, auth, actor, requestId, query }) =>
    exportReservationsCsv({
      auth,
      actor,
      requestId,
      filter: query,
      locale: pickLocale({ cookie: req.cookies.get(LOCALE_COOKIE)?.value }),
      timeZone: getEnv().BUSINESS_TIMEZONE,
    }),
);
