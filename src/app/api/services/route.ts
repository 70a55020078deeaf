import { z } from "zod";
import { route } from "@/server/http/route";
import { locales, pickLocale } from "@/lib/locale";
import { listPublicServices } from "@/server/catalog/services";

export const dynamic = "force-dynamic";

const query = z.strictObject({ locale: z.enum(locales).optional() });

export const GET = route({ route: "/api/services", query }, async ({ req, query }) => {
  const locale = pickLocale({
    explicit: query.locale,
    cookie: req.cookies.get("NEXT_LOCALE")?.value,
    acceptLanguage: req.headers.get("accept-language"),
  });
  return { services: await listPublicServices(locale) };
});
