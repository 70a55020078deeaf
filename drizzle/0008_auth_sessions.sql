-- Sessions in auth.sessions, where Supabase Auth keeps them, so the app checks "has this token's session ended?" with
-- one code path in every mode (src/server/auth/roles.ts): a sign-out deletes the row, and a token whose session_id
-- is no longer there is refused at once instead of working until it expires.
--
-- On a real Supabase project auth.sessions (and its auth.aal_level type) already exist, owned by Supabase Auth: every
-- statement below only creates what is missing, and the Auth emulator's own tables are empty there. On PGlite or a
-- plain PostgreSQL it creates the table with Supabase's column names and types, and the Auth emulator writes its
-- sessions there. The emulator-only extras (the amr list) stay in auth_emulator.sessions, keyed by the same id.
DO $$
BEGIN
  IF to_regtype('auth.aal_level') IS NULL THEN
    CREATE TYPE auth.aal_level AS ENUM ('aal1', 'aal2', 'aal3');
  END IF;
  IF to_regclass('auth.sessions') IS NULL THEN
    CREATE TABLE auth.sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
      created_at timestamptz,
      updated_at timestamptz,
      factor_id uuid,
      aal auth.aal_level,
      not_after timestamptz,
      refreshed_at timestamp,
      user_agent text,
      ip inet,
      tag text
    );
    CREATE INDEX sessions_user_id_idx ON auth.sessions (user_id);
    CREATE INDEX sessions_not_after_idx ON auth.sessions (not_after DESC);
    CREATE INDEX user_id_created_at_idx ON auth.sessions (user_id, created_at);
    -- Only Supabase Auth (here: the emulator, on the owner's connection) and the app's session check read it.
    ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
    REVOKE ALL ON auth.sessions FROM anon, authenticated, service_role;
    -- Sessions the emulator started before this migration keep working (refresh tokens included).
    INSERT INTO auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at)
    SELECT id, user_id, created_at, coalesce(refreshed_at, created_at), aal::auth.aal_level, refreshed_at AT TIME ZONE 'UTC'
      FROM auth_emulator.sessions;
    -- A session ending (sign-out, reuse detected, user deleted) takes the emulator's extras and, through them, the
    -- link from its refresh tokens with it. Only when we created auth.sessions: Supabase's own table is not ours to
    -- reference (the emulator deletes both rows itself either way).
    ALTER TABLE auth_emulator.sessions
      ADD CONSTRAINT sessions_id_auth_sessions_fkey FOREIGN KEY (id) REFERENCES auth.sessions (id) ON DELETE CASCADE;
  ELSIF EXISTS (SELECT 1 FROM auth_emulator.sessions) THEN
    -- auth.sessions existed already and the emulator has sessions: carry them over too.
    INSERT INTO auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at)
    SELECT e.id, e.user_id, e.created_at, coalesce(e.refreshed_at, e.created_at), e.aal::auth.aal_level,
           e.refreshed_at AT TIME ZONE 'UTC'
      FROM auth_emulator.sessions e
     WHERE NOT EXISTS (SELECT 1 FROM auth.sessions s WHERE s.id = e.id);
  END IF;
END
$$;
--> statement-breakpoint
-- What auth.sessions now holds is no longer kept twice. The id comes from auth.sessions; user_id stays (the refresh
-- tokens' and the RLS matrix's key).
ALTER TABLE auth_emulator.sessions DROP COLUMN IF EXISTS aal;
--> statement-breakpoint
ALTER TABLE auth_emulator.sessions DROP COLUMN IF EXISTS created_at;
--> statement-breakpoint
ALTER TABLE auth_emulator.sessions DROP COLUMN IF EXISTS refreshed_at;
--> statement-breakpoint
ALTER TABLE auth_emulator.sessions ALTER COLUMN id DROP DEFAULT;
--> statement-breakpoint
-- A one-time code dies after 5 wrong guesses for its address (src/server/emulators/supabase-auth/store.ts).
ALTER TABLE auth_emulator.one_time_tokens ADD COLUMN IF NOT EXISTS failed_attempts integer NOT NULL DEFAULT 0;
