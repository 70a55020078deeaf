import "server-only";
import { and, asc, eq } from "drizzle-orm";
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
  return rows.map((s) => toPublicService(s, locale));
}

/** One active service by its URL slug or id (read under RLS as anon); null when there is none. */
export async function getPublicService(
  ref: { slug: string } | { id: string },
  locale: Locale,
): Promise<PublicService | null> {
  const [row] = await asAnon((tx) =>
    tx
      .select()
      .from(services)
      .where(and(eq(services.active, true), "slug" in ref ? eq(services.slug, ref.slug) : eq(services.id, ref.id))),
  );
  return row ? toPublicService(row, locale) : null;
}

function toPublicService(s: typeof services.$inferSelect, locale: Locale): PublicService {
  return {
    id: s.id,
    slug: s.slug,
    name: locale === "en" ? s.nameEn : s.nameJa,
    description: locale === "en" ? s.descriptionEn : s.descriptionJa,
    durationMinutes: s.durationMinutes,
    price: { amount: s.priceAmount, currency: s.currency },
    capacity: s.defaultCapacity,
  };
}
