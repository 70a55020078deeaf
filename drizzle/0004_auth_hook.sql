-- Supabase custom access token hook: adds the app role (public.user_roles, default 'user') to every access token as
-- the `user_role` claim, which RLS reads through public.jwt_app_role(). On a real project enable it under
-- Authentication > Hooks > Custom Access Token (postgres function public.custom_access_token_hook). The Auth
-- emulator calls the same function, so emulated and real tokens carry identical claims.
-- Signature and grants as documented by Supabase (https://supabase.com/docs/guides/auth/auth-hooks/custom-access-token-hook).
CREATE OR REPLACE FUNCTION public.custom_access_token_hook(event jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  claims jsonb;
  app_role text;
BEGIN
  SELECT ur.role INTO app_role FROM public.user_roles ur WHERE ur.user_id = (event ->> 'user_id')::uuid;
  claims := coalesce(event -> 'claims', '{}'::jsonb);
  claims := jsonb_set(claims, '{user_role}', to_jsonb(coalesce(app_role, 'user')));
  RETURN jsonb_set(event, '{claims}', claims);
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION public.custom_access_token_hook(jsonb) FROM authenticated, anon, public;
--> statement-breakpoint
-- supabase_auth_admin (the role Supabase Auth runs the hook as) exists only on Supabase; PGlite and plain PostgreSQL
-- skip this block. There the Auth emulator runs the hook as the database owner.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_auth_admin') THEN
    GRANT USAGE ON SCHEMA public TO supabase_auth_admin;
    GRANT EXECUTE ON FUNCTION public.custom_access_token_hook(jsonb) TO supabase_auth_admin;
    GRANT SELECT ON TABLE public.user_roles TO supabase_auth_admin;
    IF NOT EXISTS (
      SELECT 1 FROM pg_policies
      WHERE schemaname = 'public' AND tablename = 'user_roles' AND policyname = 'user_roles: auth admin reads for the token hook'
    ) THEN
      CREATE POLICY "user_roles: auth admin reads for the token hook" ON public.user_roles
        AS PERMISSIVE FOR SELECT TO supabase_auth_admin USING (true);
    END IF;
  END IF;
END
$$;
--> statement-breakpoint
-- State of the in-process Auth emulator (embedded default only; unused on a real Supabase project): sessions,
-- rotating refresh tokens and one-time email codes, in the database so every app instance agrees. A schema of its
-- own, not `auth`: hosted Supabase does not allow creating objects in its `auth` schema.
CREATE SCHEMA IF NOT EXISTS auth_emulator;
--> statement-breakpoint
REVOKE ALL ON SCHEMA auth_emulator FROM public;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS auth_emulator.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  aal text NOT NULL DEFAULT 'aal1',
  amr jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON auth_emulator.sessions (user_id);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS auth_emulator.refresh_tokens (
  token text PRIMARY KEY,
  -- NULL once the session ended (sign-out, reuse detected): the token is then refused but still recognised.
  session_id uuid REFERENCES auth_emulator.sessions (id) ON DELETE SET NULL,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  parent text,
  revoked boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS refresh_tokens_session_id_idx ON auth_emulator.refresh_tokens (session_id);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS auth_emulator.one_time_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  token_type text NOT NULL,
  -- sha224(email || code) in hex, as GoTrue's {{ .TokenHash }}; the code itself is never stored.
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS one_time_tokens_user_id_idx ON auth_emulator.one_time_tokens (user_id);
--> statement-breakpoint
-- Only the emulator (the database owner, standing in for GoTrue's supabase_auth_admin) touches these tables.
ALTER TABLE auth_emulator.sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth_emulator.refresh_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth_emulator.one_time_tokens ENABLE ROW LEVEL SECURITY;
