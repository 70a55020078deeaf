import { sql } from "drizzle-orm";
import { queryRows, type Db, type Tx } from "@/server/db/client";

/**
 * Everything a migration can change, as sorted text lines: columns, constraints, indexes, policies, triggers,
 * functions, row-level security switches and grants in the schemas the migrations touch. Two databases (or one
 * database before and after something) have the same schema exactly when their fingerprints are equal.
 */
export async function schemaFingerprint(db: Db | Tx): Promise<string[]> {
  const rows = await queryRows<{ item: string }>(
    db,
    sql`
      select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' null='
             || is_nullable || ' default=' || coalesce(column_default, '') as item
        from information_schema.columns where table_schema in ('public', 'auth', 'drizzle')
      union all
      select 'constraint ' || n.nspname || '.' || c.conname || ' on ' || c.conrelid::regclass::text || ' '
             || pg_get_constraintdef(c.oid)
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('public', 'auth')
      union all
      select 'index ' || schemaname || '.' || indexname || ' ' || indexdef
        from pg_indexes where schemaname in ('public', 'auth', 'drizzle')
      union all
      select 'policy ' || schemaname || '.' || tablename || ' "' || policyname || '" ' || cmd || ' to '
             || array_to_string(roles, ',') || ' using ' || coalesce(qual, '-') || ' check ' || coalesce(with_check, '-')
        from pg_policies
      union all
      select 'trigger ' || tgrelid::regclass::text || '.' || tgname || ' ' || pg_get_triggerdef(oid)
        from pg_trigger where not tgisinternal
      union all
      select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') '
             || md5(p.prosrc) || ' acl=' || coalesce(p.proacl::text, '')
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'auth')
      union all
      select 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity
             || ' acl=' || coalesce(c.relacl::text, '')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'auth', 'drizzle') and c.relkind in ('r', 'p', 'S', 'v')
      union all
      select 'role ' || rolname || ' bypassrls=' || rolbypassrls || ' login=' || rolcanlogin
        from pg_roles where rolname in ('anon', 'authenticated', 'service_role')`,
  );
  return rows.map((r) => r.item).sort();
}
