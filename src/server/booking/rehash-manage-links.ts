import "server-only";
import { sql } from "drizzle-orm";
import { getDatabase } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { hashManageToken, manageTokenFor } from "./codes";

/**
 * Ends a MANAGE_LINK_SECRET rotation (docs/security.md): re-derives every stored manage-token hash from the current
 * secret. Afterwards a guest link works only when derived from MANAGE_LINK_SECRET (every email sent from now on) or,
 * while it is still set, MANAGE_LINK_SECRET_PREVIOUS — links from a leaked secret stop working once the previous
 * secret is unset. Batched by id so a large table is never locked at once; safe to run twice.
 */
export async function rehashManageLinks(batchSize = 500): Promise<number> {
  const { db } = await getDatabase();
  let after = "00000000-0000-0000-0000-000000000000";
  let updated = 0;
  for (;;) {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`select id::text as id from reservations where manage_token_hash is not null and id > ${after}::uuid order by id limit ${batchSize}`,
    );
    if (rows.length === 0) return updated;
    for (const { id } of rows) {
      const hash = hashManageToken(manageTokenFor(id).token);
      const changed = await queryRows<{ id: string }>(
        db,
        sql`update reservations set manage_token_hash = ${hash} where id = ${id}::uuid and manage_token_hash is distinct from ${hash} returning id`,
      );
      updated += changed.length;
    }
    after = rows.at(-1)?.id ?? after;
  }
}
