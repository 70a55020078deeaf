import { adminRoute } from "@/server/admin/http";
import { auditQuery, searchAudit } from "@/server/admin/audit-log";

export const dynamic = "force-dynamic";

/** Staff and admins: the audit log, newest first, filtered and keyset-paged (before / after cursors); read-only. */
export const GET = adminRoute({ route: "/api/admin/audit", query: auditQuery }, async ({ auth, query }) =>
  searchAudit(auth, query),
);
