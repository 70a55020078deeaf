import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { count, sql } from "drizzle-orm";
import { addDays, isoWeekday, localDateOf, zonedInstant } from "@/lib/time";
import { queryRows, type Db } from "./client";
import { services, slots, userRoles } from "./schema";

/**
 * Demo data for the embedded default and `npm run db:seed`: services with ja/en names (one free), slots for the next
 * 14 days in the business time zone, and an admin and a staff account. Passwords come from env or are generated;
 * none is written in code.
 */

type ServiceSeed = {
  slug: string;
  nameJa: string;
  nameEn: string;
  descriptionJa: string;
  descriptionEn: string;
  durationMinutes: number;
  priceAmount: number;
  defaultCapacity: number;
  /** Start times (HH:MM, business time zone) and the ISO weekdays they run on. */
  times: string[];
  weekdays: number[];
};

export const demoServices: ServiceSeed[] = [
  {
    slug: "first-consultation",
    nameJa: "初回無料カウンセリング",
    nameEn: "Free first consultation",
    descriptionJa: "はじめての方向けの30分のご相談。ご希望やご予算をうかがい、最適なプランをご提案します。",
    descriptionEn: "A 30-minute talk for first-time guests: tell us what you need and we suggest the right plan.",
    durationMinutes: 30,
    priceAmount: 0,
    defaultCapacity: 1,
    times: ["10:00", "11:00", "14:00", "15:00", "16:00"],
    weekdays: [1, 2, 3, 4, 5],
  },
  {
    slug: "morning-yoga",
    nameJa: "朝ヨガクラス",
    nameEn: "Morning yoga class",
    descriptionJa: "少人数で行う60分のヨガクラス。初心者の方も安心してご参加いただけます。マットは無料でお貸しします。",
    descriptionEn: "A 60-minute small-group yoga class, beginner friendly. Mats are provided free of charge.",
    durationMinutes: 60,
    priceAmount: 2500,
    defaultCapacity: 12,
    times: ["07:00", "18:30"],
    weekdays: [1, 2, 3, 4, 5, 6, 7],
  },
  {
    slug: "washoku-cooking",
    nameJa: "和食料理教室",
    nameEn: "Japanese home cooking workshop",
    descriptionJa: "出汁のとり方から季節の一汁三菜まで。作った料理はその場でお召し上がりいただけます。",
    descriptionEn: "From making dashi to a seasonal set meal; you eat what you cook at the end of the class.",
    durationMinutes: 120,
    priceAmount: 6800,
    defaultCapacity: 8,
    times: ["11:00", "15:00"],
    weekdays: [2, 4, 6, 7],
  },
  {
    slug: "tea-ceremony",
    nameJa: "茶道体験",
    nameEn: "Tea ceremony experience",
    descriptionJa: "畳の茶室で、お点前の見学とお抹茶・和菓子をお楽しみいただく90分の体験です。",
    descriptionEn: "90 minutes in a tatami tea room: watch the ceremony, then enjoy matcha and a seasonal sweet.",
    durationMinutes: 90,
    priceAmount: 4500,
    defaultCapacity: 6,
    times: ["10:00", "13:30"],
    weekdays: [3, 5, 6, 7],
  },
];

export type SeedAccount = {
  email: string;
  password: string;
  role: "admin" | "staff";
  /** The password was generated here (not taken from env). */
  generated: boolean;
  /** False when the account already existed: its password was left unchanged. */
  created: boolean;
};

export type SeedOptions = {
  now: Date;
  timeZone: string;
  currency: string;
  days?: number;
  accounts: { admin: { email?: string; password?: string }; staff: { email?: string; password?: string } };
};

export type SeedResult = { services: number; slots: number; accounts: SeedAccount[] };

export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(services);
  return (row?.n ?? 0) === 0;
}

export async function seedDatabase(db: Db, options: SeedOptions): Promise<SeedResult> {
  const days = options.days ?? 14;
  const accounts: SeedAccount[] = [
    account("admin", options.accounts.admin, "admin@example.com"),
    account("staff", options.accounts.staff, "staff@example.com"),
  ];

  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(services)
      .values(
        demoServices.map((s, i) => ({
          slug: s.slug,
          nameJa: s.nameJa,
          nameEn: s.nameEn,
          descriptionJa: s.descriptionJa,
          descriptionEn: s.descriptionEn,
          durationMinutes: s.durationMinutes,
          priceAmount: s.priceAmount,
          currency: options.currency,
          defaultCapacity: s.defaultCapacity,
          sortOrder: i,
        })),
      )
      .onConflictDoNothing({ target: services.slug })
      .returning({ id: services.id, slug: services.slug });

    const today = localDateOf(options.now, options.timeZone);
    const slotRows: (typeof slots.$inferInsert)[] = [];
    for (const svc of inserted) {
      const spec = demoServices.find((s) => s.slug === svc.slug);
      if (!spec) continue;
      for (let d = 0; d < days; d++) {
        const date = addDays(today, d);
        if (!spec.weekdays.includes(isoWeekday(date))) continue;
        for (const time of spec.times) {
          const [hour, minute] = time.split(":").map(Number) as [number, number];
          const startsAt = zonedInstant(date, hour, minute, options.timeZone);
          if (startsAt <= options.now) continue;
          slotRows.push({
            serviceId: svc.id,
            startsAt,
            endsAt: new Date(startsAt.getTime() + spec.durationMinutes * 60_000),
            capacity: spec.defaultCapacity,
          });
        }
      }
    }
    if (slotRows.length > 0) await tx.insert(slots).values(slotRows).onConflictDoNothing();

    for (const acc of accounts) {
      const hash = await bcrypt.hash(acc.password, 10);
      const rows = await queryRows<{ id: string }>(
        tx,
        sql`insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
            values (gen_random_uuid(), 'authenticated', 'authenticated', ${acc.email}, ${hash}, now(),
                    ${JSON.stringify({ provider: "email", providers: ["email"] })}::jsonb,
                    ${JSON.stringify({ name: acc.role === "admin" ? "Admin" : "Staff" })}::jsonb)
            on conflict do nothing
            returning id`,
      );
      acc.created = rows.length > 0;
      const userId =
        rows[0]?.id ??
        (
          await queryRows<{ id: string }>(tx, sql`select id from auth.users where lower(email) = lower(${acc.email})`)
        )[0]?.id;
      if (userId) {
        await tx
          .insert(userRoles)
          .values({ userId, role: acc.role })
          .onConflictDoUpdate({ target: userRoles.userId, set: { role: acc.role } });
      }
    }

    return { services: inserted.length, slots: slotRows.length, accounts };
  });
}

function account(
  role: "admin" | "staff",
  given: { email?: string; password?: string },
  defaultEmail: string,
): SeedAccount {
  return {
    role,
    email: given.email ?? defaultEmail,
    password: given.password ?? generatePassword(),
    generated: given.password === undefined,
    created: false,
  };
}
