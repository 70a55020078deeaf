-- Signed-in people change bookings, slots, services, rules and suppressions only through the app (the /manage API),
-- whose domain verbs write as the service role together with the audit row and the capacity rules. Direct writes
-- as `authenticated` (possible on a real project through Supabase's REST API with a staff member's token) would skip
-- both, so those grants and policies go: staff keep read access. What stays writable as `authenticated`:
-- user_roles (admins, drizzle/0005) and audit_log (append as oneself, now with one's own role and the database time).
-- Further down: roles are checked against user_roles as well as the token, and sign-in emails are hidden from RLS reads.

DROP POLICY IF EXISTS "reservation_slot_changes: staff insert" ON "reservation_slot_changes";
--> statement-breakpoint
REVOKE INSERT ON "reservation_slot_changes" FROM authenticated;
--> statement-breakpoint
DROP POLICY IF EXISTS "reservations: staff update" ON "reservations";
--> statement-breakpoint
REVOKE UPDATE ON "reservations" FROM authenticated;
--> statement-breakpoint
DROP POLICY IF EXISTS "services: staff insert" ON "services";
--> statement-breakpoint
DROP POLICY IF EXISTS "services: staff update" ON "services";
--> statement-breakpoint
REVOKE INSERT, UPDATE ON "services" FROM authenticated;
--> statement-breakpoint
DROP POLICY IF EXISTS "slots: staff insert" ON "slots";
--> statement-breakpoint
DROP POLICY IF EXISTS "slots: staff update" ON "slots";
--> statement-breakpoint
REVOKE INSERT, UPDATE ON "slots" FROM authenticated;
--> statement-breakpoint
DROP POLICY IF EXISTS "slot_rules: staff all" ON "slot_rules";
--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON "slot_rules" FROM authenticated;
--> statement-breakpoint
CREATE POLICY "slot_rules: staff read" ON "slot_rules" FOR SELECT TO authenticated USING ((SELECT public.is_staff()));
--> statement-breakpoint
DROP POLICY IF EXISTS "email_suppressions: staff all" ON "email_suppressions";
--> statement-breakpoint
REVOKE INSERT, DELETE ON "email_suppressions" FROM authenticated;
--> statement-breakpoint
CREATE POLICY "email_suppressions: staff read" ON "email_suppressions" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()));
--> statement-breakpoint
-- An audit row written as a signed-in person names them, their role as their token states it, and the time the
-- database gives the transaction (the request id and IP are the app's to record).
DROP POLICY IF EXISTS "audit_log: staff append as themselves" ON "audit_log";
--> statement-breakpoint
CREATE POLICY "audit_log: staff append as themselves" ON "audit_log" FOR INSERT TO authenticated
  WITH CHECK (
    (SELECT public.is_staff())
    AND "actor_id" = (SELECT auth.uid())
    AND "actor_role" = (SELECT public.jwt_app_role())
    AND "occurred_at" = now()
  );
--> statement-breakpoint
-- A role is what the token says AND what user_roles says now: a token outlives a demotion by up to an hour (the claim
-- is set when it is issued), and without this a demoted admin could use that hour to grant themselves the role back.
-- SECURITY DEFINER with an empty search_path so policies on user_roles can call it without recursing into themselves.
CREATE OR REPLACE FUNCTION public.db_app_role() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS
$$ SELECT coalesce((SELECT ur.role FROM public.user_roles ur WHERE ur.user_id = auth.uid()), 'user') $$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION public.db_app_role() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.db_app_role() TO anon, authenticated, service_role;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.is_staff() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT auth.role() = 'authenticated' AND public.jwt_app_role() IN ('staff', 'admin') AND public.db_app_role() IN ('staff', 'admin') $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.is_admin() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT auth.role() = 'authenticated' AND public.jwt_app_role() = 'admin' AND public.db_app_role() = 'admin' $$;
--> statement-breakpoint
-- Emulated sign-in emails (src/server/auth/emails.ts) carry a working link and code until they are sent: nobody reads
-- those rows through RLS, staff included (the dispatcher reads them as the service role).
DROP POLICY IF EXISTS "notifications: addressee or staff read" ON "notifications";
--> statement-breakpoint
CREATE POLICY "notifications: addressee or staff read" ON "notifications" FOR SELECT TO authenticated
  USING ("kind" <> 'sign_in_link' AND ((SELECT public.is_staff()) OR "user_id" = (SELECT auth.uid()) OR EXISTS (
    SELECT 1 FROM "reservations" r WHERE r."id" = "reservation_id" AND r."user_id" = (SELECT auth.uid()))));
