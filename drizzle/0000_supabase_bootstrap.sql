-- Supabase-compatible bootstrap.
-- On a real Supabase project every object below already exists, so each statement only creates what is missing
-- and never replaces Supabase's own definitions. On PGlite or a plain PostgreSQL it creates the minimum the
-- domain migrations and RLS policies need: the roles anon / authenticated / service_role, schema auth,
-- auth.uid() / auth.jwt() / auth.role() reading the request's JWT claims, and a minimal auth.users.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$$;
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS auth;
--> statement-breakpoint
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
--> statement-breakpoint
DO $$
BEGIN
  IF to_regprocedure('auth.jwt()') IS NULL THEN
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
    $f$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $f$;
  END IF;
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
    $f$ SELECT nullif(auth.jwt() ->> 'sub', '')::uuid $f$;
  END IF;
  IF to_regprocedure('auth.role()') IS NULL THEN
    CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
    $f$ SELECT nullif(auth.jwt() ->> 'role', '') $f$;
  END IF;
  IF to_regclass('auth.users') IS NULL THEN
    -- The columns the app and the Auth emulator use, named and typed as in Supabase's auth.users.
    CREATE TABLE auth.users (
      instance_id uuid,
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      aud varchar(255) DEFAULT 'authenticated',
      role varchar(255) DEFAULT 'authenticated',
      email varchar(255),
      encrypted_password varchar(255),
      email_confirmed_at timestamptz,
      phone text,
      phone_confirmed_at timestamptz,
      last_sign_in_at timestamptz,
      raw_app_meta_data jsonb DEFAULT '{}'::jsonb,
      raw_user_meta_data jsonb DEFAULT '{}'::jsonb,
      is_anonymous boolean NOT NULL DEFAULT false,
      banned_until timestamptz,
      created_at timestamptz DEFAULT now(),
      updated_at timestamptz DEFAULT now(),
      deleted_at timestamptz
    );
    CREATE UNIQUE INDEX users_email_partial_key ON auth.users (lower(email)) WHERE email IS NOT NULL;
  END IF;
END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth.uid(), auth.jwt(), auth.role() TO anon, authenticated, service_role;
