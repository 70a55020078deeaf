-- Row Level Security and grants, one section per table. Least privilege:
--   anon           the public booking pages: active services and bookable slots, nothing personal.
--   authenticated  a signed-in person; `user_role` in the JWT (custom access token hook) says user / staff / admin.
--   service_role   jobs, webhooks and emulators only (BYPASSRLS); used through asService().
-- Policies call auth.uid() / auth.jwt() inside a sub-select so PostgreSQL evaluates them once per statement.

CREATE OR REPLACE FUNCTION public.jwt_app_role() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(auth.jwt() ->> 'user_role', CASE WHEN auth.uid() IS NULL THEN 'anon' ELSE 'user' END) $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.is_staff() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT auth.role() = 'authenticated' AND public.jwt_app_role() IN ('staff', 'admin') $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.is_admin() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT auth.role() = 'authenticated' AND public.jwt_app_role() = 'admin' $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.jwt_app_role(), public.is_staff(), public.is_admin() TO anon, authenticated, service_role;
--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES auth.users ("id") ON DELETE SET NULL;
--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES auth.users ("id") ON DELETE CASCADE;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO service_role;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;
--> statement-breakpoint

-- services: everyone reads active services; staff read all and edit.
ALTER TABLE "services" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "services" TO anon, authenticated;
--> statement-breakpoint
GRANT INSERT, UPDATE ON "services" TO authenticated;
--> statement-breakpoint
CREATE POLICY "services: read active, staff read all" ON "services" FOR SELECT TO anon, authenticated
  USING ("active" OR (SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "services: staff insert" ON "services" FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "services: staff update" ON "services" FOR UPDATE TO authenticated
  USING ((SELECT public.is_staff())) WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint

-- slots: everyone reads slots that are not cancelled; staff read all and edit.
ALTER TABLE "slots" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "slots" TO anon, authenticated;
--> statement-breakpoint
GRANT INSERT, UPDATE ON "slots" TO authenticated;
--> statement-breakpoint
CREATE POLICY "slots: read bookable, staff read all" ON "slots" FOR SELECT TO anon, authenticated
  USING ("status" <> 'cancelled' OR (SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "slots: staff insert" ON "slots" FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "slots: staff update" ON "slots" FOR UPDATE TO authenticated
  USING ((SELECT public.is_staff())) WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint

-- slot_rules: staff only.
ALTER TABLE "slot_rules" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "slot_rules" TO authenticated;
--> statement-breakpoint
CREATE POLICY "slot_rules: staff all" ON "slot_rules" FOR ALL TO authenticated
  USING ((SELECT public.is_staff())) WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint

-- reservations: a user reads their own; staff read and update all. Guests never read through RLS: their manage
-- token is checked by the app, which then reads as service.
ALTER TABLE "reservations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, UPDATE ON "reservations" TO authenticated;
--> statement-breakpoint
CREATE POLICY "reservations: owner or staff read" ON "reservations" FOR SELECT TO authenticated
  USING ("user_id" = (SELECT auth.uid()) OR (SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "reservations: staff update" ON "reservations" FOR UPDATE TO authenticated
  USING ((SELECT public.is_staff())) WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint

-- reservation_slot_changes: readable with the reservation; written by domain functions only.
ALTER TABLE "reservation_slot_changes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON "reservation_slot_changes" TO authenticated;
--> statement-breakpoint
CREATE POLICY "reservation_slot_changes: owner or staff read" ON "reservation_slot_changes" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()) OR EXISTS (
    SELECT 1 FROM "reservations" r WHERE r."id" = "reservation_id" AND r."user_id" = (SELECT auth.uid())));
--> statement-breakpoint
CREATE POLICY "reservation_slot_changes: staff insert" ON "reservation_slot_changes" FOR INSERT TO authenticated
  WITH CHECK ((SELECT public.is_staff()));
--> statement-breakpoint

-- payments: the reservation's owner and staff read; only the service role writes (webhooks, gateway).
ALTER TABLE "payments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "payments" TO authenticated;
--> statement-breakpoint
CREATE POLICY "payments: owner or staff read" ON "payments" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()) OR EXISTS (
    SELECT 1 FROM "reservations" r WHERE r."id" = "reservation_id" AND r."user_id" = (SELECT auth.uid())));
--> statement-breakpoint

-- refunds: as payments.
ALTER TABLE "refunds" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "refunds" TO authenticated;
--> statement-breakpoint
CREATE POLICY "refunds: owner or staff read" ON "refunds" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()) OR EXISTS (
    SELECT 1 FROM "reservations" r WHERE r."id" = "reservation_id" AND r."user_id" = (SELECT auth.uid())));
--> statement-breakpoint

-- notifications: the addressee (by user or reservation) and staff read; only the dispatcher writes.
ALTER TABLE "notifications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "notifications" TO authenticated;
--> statement-breakpoint
CREATE POLICY "notifications: addressee or staff read" ON "notifications" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()) OR "user_id" = (SELECT auth.uid()) OR EXISTS (
    SELECT 1 FROM "reservations" r WHERE r."id" = "reservation_id" AND r."user_id" = (SELECT auth.uid())));
--> statement-breakpoint

-- webhook_events: staff read (inbox viewer); only the webhook route writes.
ALTER TABLE "webhook_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON "webhook_events" TO authenticated;
--> statement-breakpoint
CREATE POLICY "webhook_events: staff read" ON "webhook_events" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()));
--> statement-breakpoint

-- idempotency_keys: internal to the app; no grants to anon or authenticated, so no access at all.
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint

-- audit_log: staff read; staff append rows that name themselves; nobody updates or deletes (trigger, for every
-- role including the table owner and service_role).
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON "audit_log" TO authenticated;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE "audit_log_id_seq" TO authenticated;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_log" FROM PUBLIC, anon, authenticated, service_role;
--> statement-breakpoint
CREATE POLICY "audit_log: staff read" ON "audit_log" FOR SELECT TO authenticated USING ((SELECT public.is_staff()));
--> statement-breakpoint
CREATE POLICY "audit_log: staff append as themselves" ON "audit_log" FOR INSERT TO authenticated
  WITH CHECK ((SELECT public.is_staff()) AND "actor_id" = (SELECT auth.uid()));
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION public.audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_log_append_only();
--> statement-breakpoint

-- user_roles: a user reads their own role; admins read and manage all.
ALTER TABLE "user_roles" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "user_roles" TO authenticated;
--> statement-breakpoint
CREATE POLICY "user_roles: own or admin read" ON "user_roles" FOR SELECT TO authenticated
  USING ("user_id" = (SELECT auth.uid()) OR (SELECT public.is_admin()));
--> statement-breakpoint
CREATE POLICY "user_roles: admin insert" ON "user_roles" FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_admin()));
--> statement-breakpoint
CREATE POLICY "user_roles: admin update" ON "user_roles" FOR UPDATE TO authenticated
  USING ((SELECT public.is_admin())) WITH CHECK ((SELECT public.is_admin()));
--> statement-breakpoint
CREATE POLICY "user_roles: admin delete" ON "user_roles" FOR DELETE TO authenticated USING ((SELECT public.is_admin()));
--> statement-breakpoint

-- email_suppressions: staff read, add and remove.
ALTER TABLE "email_suppressions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "email_suppressions" TO authenticated;
--> statement-breakpoint
CREATE POLICY "email_suppressions: staff all" ON "email_suppressions" FOR ALL TO authenticated
  USING ((SELECT public.is_staff())) WITH CHECK ((SELECT public.is_staff()));
