/**
 * `npm run security:rehash-manage-links`: after rotating MANAGE_LINK_SECRET, re-derives every reservation's stored
 * manage-token hash from the new secret, so links made with the old one work only while MANAGE_LINK_SECRET_PREVIOUS
 * is still set (docs/security.md, "Rotating secrets").
 */
import { getDatabaseForScript } from "./script-db";

const handle = await getDatabaseForScript();
try {
  const { rehashManageLinks } = await import("../src/server/booking/rehash-manage-links");
  const updated = await rehashManageLinks();
  console.log(`${updated} manage link(s) re-derived from the current MANAGE_LINK_SECRET`);
} finally {
  await handle.close();
}
