/**
 * The PostgreSQL error behind a failed query. Drizzle wraps driver errors ("Failed query: …") and keeps the
 * original as `cause`; this finds the first error in the chain that carries a SQLSTATE code.
 */
export type PgError = { code: string; message: string; constraint?: string };

export async function pgErrorOf(work: Promise<unknown>): Promise<PgError> {
  try {
    await work;
  } catch (error) {
    for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
      const candidate = e as { code?: unknown; message?: unknown; constraint?: unknown; constraint_name?: unknown };
      if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
        const constraint = candidate.constraint ?? candidate.constraint_name;
        return {
          code: candidate.code,
          message: String(candidate.message),
          ...(typeof constraint === "string" ? { constraint } : {}),
        };
      }
      e = (e as { cause?: unknown }).cause;
    }
    throw new Error(`expected a PostgreSQL error, got: ${String(error)}`, { cause: error });
  }
  throw new Error("expected the query to fail, but it succeeded");
}

export const INSUFFICIENT_PRIVILEGE = "42501";
export const CHECK_VIOLATION = "23514";
