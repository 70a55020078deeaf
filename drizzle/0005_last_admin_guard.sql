-- Users and roles for /manage/users (issue 6).
--
-- 1. There is always at least one admin, enforced here and not only by the app: removing the last admin role
--    (demotion, revocation, or deleting the user, which cascades from auth.users) raises check_violation with the
--    constraint name user_roles_one_admin.
--    Concurrency: two admins demoting each other at the same moment must not both succeed. Every statement that
--    writes user_roles first takes one transaction-scoped advisory lock (statement-level BEFORE trigger, so it is
--    taken before any row lock and two writers cannot deadlock on each other's rows); the row-level check then runs
--    after the change and counts the admins left with a fresh READ COMMITTED snapshot, so the second transaction sees
--    the first one's committed demotion. A REPEATABLE READ / SERIALIZABLE writer keeps its old snapshot, so there the
--    count locks the admin rows (FOR SHARE), which fails with a serialization error instead of counting stale rows;
--    READ COMMITTED (the app's level) counts without row locks, so the trigger adds no lock-order hazard.
--    The check is a constraint trigger, immediate by default; a maintenance transaction that swaps admins may run
--    SET CONSTRAINTS user_roles_one_admin DEFERRED. TRUNCATE is not covered (owner-only; the embedded database's
--    reset empties every table and seeds the admin again).
CREATE OR REPLACE FUNCTION public.user_roles_write_lock() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  -- Any constant works; it only has to be the same for every writer of user_roles (and public.lock_user_roles).
  PERFORM pg_advisory_xact_lock(726100005);
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_roles_write_lock ON public.user_roles;
--> statement-breakpoint
CREATE TRIGGER user_roles_write_lock BEFORE INSERT OR UPDATE OR DELETE ON public.user_roles
  FOR EACH STATEMENT EXECUTE FUNCTION public.user_roles_write_lock();
--> statement-breakpoint
-- SECURITY DEFINER: the count must see every row whatever the caller's Row Level Security lets them read.
CREATE OR REPLACE FUNCTION public.user_roles_keep_an_admin() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  admins integer;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.role = 'admin' THEN
    RETURN NULL;
  END IF;
  IF current_setting('transaction_isolation') = 'read committed' THEN
    SELECT count(*) INTO admins FROM public.user_roles WHERE role = 'admin';
  ELSE
    SELECT count(*) INTO admins FROM (SELECT 1 FROM public.user_roles WHERE role = 'admin' FOR SHARE) AS remaining;
  END IF;
  IF admins = 0 THEN
    RAISE EXCEPTION 'At least one admin must remain.'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'user_roles_one_admin',
            HINT = 'Make another user an admin first.';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_roles_one_admin ON public.user_roles;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER user_roles_one_admin AFTER UPDATE OR DELETE ON public.user_roles
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW WHEN (OLD.role = 'admin') EXECUTE FUNCTION public.user_roles_keep_an_admin();
--> statement-breakpoint
-- The same lock for the admin screens (src/server/admin/users.ts), taken before they read the role they change, so
-- the "before" they record and the admin count they check cannot move under them. Admins only.
CREATE OR REPLACE FUNCTION public.lock_user_roles() RETURNS void
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF NOT coalesce(public.is_admin(), false) THEN
    RAISE EXCEPTION 'Only admins change roles.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(726100005);
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION public.lock_user_roles() FROM PUBLIC, anon;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.lock_user_roles() TO authenticated;
--> statement-breakpoint
-- 2. The people list for admins. auth.users is not readable by `authenticated` (on Supabase nor here), so the admin
--    screens read it through these functions, which run as their owner and check the caller's JWT claims first:
--    the database, not only the app, decides who may list accounts.
--    admin_list_users: every account with its app role (no user_roles row = 'user'), admins first, then staff, then
--    by email; `search` is an ILIKE pattern built by the caller (wildcards escaped); `total` counts every match.
CREATE OR REPLACE FUNCTION public.admin_list_users(search text DEFAULT NULL, role_filter text DEFAULT NULL, page_size integer DEFAULT 25, page_offset integer DEFAULT 0)
RETURNS TABLE (id uuid, email text, role text, granted_by uuid, role_since timestamptz, created_at timestamptz, last_sign_in_at timestamptz, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NOT coalesce(public.is_admin(), false) THEN
    RAISE EXCEPTION 'Only admins may list users.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
    SELECT u.id, u.email::text, coalesce(r.role, 'user'), r.granted_by, r.created_at, u.created_at, u.last_sign_in_at,
           count(*) OVER ()
      FROM auth.users u
      LEFT JOIN public.user_roles r ON r.user_id = u.id
     WHERE u.deleted_at IS NULL
       AND NOT u.is_anonymous
       AND (search IS NULL OR u.email ILIKE search)
       AND (role_filter IS NULL OR coalesce(r.role, 'user') = role_filter)
     ORDER BY CASE coalesce(r.role, 'user') WHEN 'admin' THEN 0 WHEN 'staff' THEN 1 ELSE 2 END, lower(u.email), u.id
     LIMIT least(greatest(page_size, 1), 100) OFFSET greatest(page_offset, 0);
END
$$;
--> statement-breakpoint
-- user_emails: the address of each given account (audit log actors, who granted a role) and the account with one
-- exact address (the audit log's actor filter). Staff and admins only.
CREATE OR REPLACE FUNCTION public.user_emails(ids uuid[] DEFAULT NULL, lookup_email text DEFAULT NULL)
RETURNS TABLE (id uuid, email text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NOT coalesce(public.is_staff(), false) THEN
    RAISE EXCEPTION 'Only staff may look up accounts.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
    SELECT u.id, u.email::text
      FROM auth.users u
     WHERE u.id = ANY (coalesce(ids, '{}'::uuid[]))
        OR (lookup_email IS NOT NULL AND lower(u.email) = lower(lookup_email));
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION public.admin_list_users(text, text, integer, integer), public.user_emails(uuid[], text) FROM PUBLIC, anon;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.admin_list_users(text, text, integer, integer), public.user_emails(uuid[], text) TO authenticated;
