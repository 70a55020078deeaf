import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/server/db/client";
import { services, slots } from "@/server/db/schema";

/** Small builders for rows the integration tests need, written as the database owner (no RLS). */

export async function insertUser(db: Db, email: string): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`insert into auth.users (email, email_confirmed_at) values (${email}, now()) returning id::text as id`,
  );
  if (!row) throw new Error(`could not insert user ${email}`);
  return row.id;
}

export async function insertService(
  db: Db,
  values: Partial<typeof services.$inferInsert> & { slug: string },
): Promise<typeof services.$inferSelect> {
  const [service] = await db
    .insert(services)
    .values({ nameJa: "テスト", nameEn: "Test", durationMinutes: 60, priceAmount: 1000, defaultCapacity: 4, ...values })
    .returning();
  if (!service) throw new Error(`could not insert service ${values.slug}`);
  return service;
}

export async function insertSlot(
  db: Db,
  values: {
    serviceId: string;
    startsAt: Date;
    minutes?: number;
    capacity?: number;
    reserved?: number;
    status?: "open" | "closed" | "cancelled";
  },
): Promise<typeof slots.$inferSelect> {
  const [slot] = await db
    .insert(slots)
    .values({
      serviceId: values.serviceId,
      startsAt: values.startsAt,
      endsAt: new Date(values.startsAt.getTime() + (values.minutes ?? 60) * 60_000),
      capacity: values.capacity ?? 4,
      reserved: values.reserved ?? 0,
      status: values.status ?? "open",
    })
    .returning();
  if (!slot) throw new Error("could not insert slot");
  return slot;
}
