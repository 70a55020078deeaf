import "server-only";
import { asc, eq } from "drizzle-orm";
import type { Locale } from "@/lib/locale";
import type { Money } from "@/lib/money";
import { asAnon } from "@/server/db";
import { services } from "@/server/db/schema";

export type PublicService = {
  id: string;
  slug: string;
  name: string;
  description: string;
  durationMinutes: number;
  price: Money;
  capacity: number;
};

/** Active services as the public sees them (read under RLS as anon), named in the caller's locale. */
export async function listPublicServices(locale: Locale): Promise<PublicService[]> {
  const rows = await asAnon((tx) =>
    tx.select().from(services).where(eq(services.active, true)).orderBy(asc(services.sortOrder), asc(services.nameEn)),
  );
  return rows.map((s) => ({
    id: s.id,
    slug: s.slug,
    name: locale === "en" ? s.nameEn : s.nameJa,
    description: locale === "en" ? s.descriptionEn : s.descriptionJa,
    durationMinutes: s.durationMinutes,
    price: { amount: s.priceAmount, currency: s.currency },
    capacity: s.defaultCapacity,
  }));
}
