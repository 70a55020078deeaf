import "server-only";
import { and, asc, eq, gte, lt, ne } from "drizzle-orm";
import { createHash } from "node:crypto";
import { asAnon } from "@/server/db";
import { slots } from "@/server/db/schema";

export type PublicSlot = {
  id: string;
  serviceId: string;
  startsAt: string;
  endsAt: string;
  capacity: number;
  remaining: number;
  status: "open" | "closed" | "sold_out";
};

export type SlotRange = { serviceId: string; from: Date; to: Date };

/** Bookable and closed slots of a service in [from, to), read under RLS as anon. Cancelled slots are not listed. */
export async function listSlots(range: SlotRange): Promise<PublicSlot[]> {
  const rows = await asAnon((tx) =>
    tx
      .select()
      .from(slots)
      .where(
        and(
          eq(slots.serviceId, range.serviceId),
          gte(slots.startsAt, range.from),
          lt(slots.startsAt, range.to),
          ne(slots.status, "cancelled"),
        ),
      )
      .orderBy(asc(slots.startsAt)),
  );
  return rows.map((s) => toPublicSlot({ ...s, status: s.status === "cancelled" ? "closed" : s.status }));
}

/** One slot as the public sees it (read under RLS as anon); null when it does not exist or was cancelled. */
export async function getPublicSlot(slotId: string): Promise<PublicSlot | null> {
  const [row] = await asAnon((tx) =>
    tx
      .select()
      .from(slots)
      .where(and(eq(slots.id, slotId), ne(slots.status, "cancelled"))),
  );
  return row ? toPublicSlot({ ...row, status: row.status === "cancelled" ? "closed" : row.status }) : null;
}

function toPublicSlot(s: {
  id: string;
  serviceId: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  reserved: number;
  status: "open" | "closed";
}): PublicSlot {
  const remaining = s.status === "open" ? Math.max(0, s.capacity - s.reserved) : 0;
  return {
    id: s.id,
    serviceId: s.serviceId,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    capacity: s.capacity,
    remaining,
    status: s.status === "closed" ? "closed" : remaining === 0 ? "sold_out" : "open",
  };
}

/**
 * Generated slots for ?source=mock (mocks allowed only): hourly 10:00–16:00 UTC+9-ish pattern, deterministic for a
 * service and range so screenshots and tests are stable. Never touches the database.
 */
export function mockSlots(range: SlotRange): PublicSlot[] {
  const out: PublicSlot[] = [];
  const hour = 3_600_000;
  const start = Math.ceil(range.from.getTime() / hour) * hour;
  for (let t = start; t < range.to.getTime() && out.length < 500; t += hour) {
    const utcHour = new Date(t).getUTCHours();
    if (utcHour < 1 || utcHour > 7) continue; // 10:00–16:00 in Japan
    const digest = createHash("sha256").update(`${range.serviceId}:${t}`).digest();
    const capacity = 4 + ((digest[0] ?? 0) % 6);
    const reserved = (digest[1] ?? 0) % (capacity + 1);
    const id = [
      digest.subarray(0, 4),
      digest.subarray(4, 6),
      digest.subarray(6, 8),
      digest.subarray(8, 10),
      digest.subarray(10, 16),
    ]
      .map((b) => b.toString("hex"))
      .join("-");
    out.push(
      toPublicSlot({
        id,
        serviceId: range.serviceId,
        startsAt: new Date(t),
        endsAt: new Date(t + hour),
        capacity,
        reserved,
        status: "open",
      }),
    );
  }
  return out;
}
