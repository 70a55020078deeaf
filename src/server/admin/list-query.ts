import { z } from "zod";
import { dayOrInstant } from "@/lib/date-input";
import { text } from "@/lib/text";
import { addDays, zonedInstant, type LocalDate } from "@/lib/time";

/**
 * Query-string pieces shared by the operations lists (notifications, webhooks, audit log, users): the API routes
 * parse with them and the /manage pages parse their search params with the same schemas, so a filter URL means the
 * same thing in both. Plain GET forms send empty fields as `?status=`, so a blank value counts as absent.
 */

export const blank = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === "" ? undefined : v), schema);

/** `a,b,c` → ["a", "b", "c"], each one of the allowed values. */
export const csvList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1).max(values.length));

/** A search box or free-text filter: trimmed, one line, no control characters (src/lib/text.ts); blank = absent. */
export const searchText = (max: number) => blank(text({ min: 1, max }).optional());

/** A calendar day (YYYY-MM-DD, read in the business time zone) or an instant with an offset, years 2000–2100. */
export const dateRangeFields = { from: blank(dayOrInstant().optional()), to: blank(dayOrInstant().optional()) };

export const pageFields = {
  page: blank(z.coerce.number().int().min(1).max(100_000).default(1)),
  pageSize: blank(z.coerce.number().int().min(1).max(100).default(25)),
};

/**
 * The instants a from/to filter means: a day starts at its midnight in the zone; `to` as a day includes that whole
 * day (it becomes the next midnight, exclusive), so "from 2026-11-01 to 2026-11-01" is that one day.
 */
export function rangeBounds(range: { from?: string; to?: string }, timeZone: string): { from?: Date; to?: Date } {
  const bound = (value: string | undefined, end: boolean): Date | undefined => {
    if (!value) return undefined;
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!day) return new Date(value);
    const date: LocalDate = { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) };
    return zonedInstant(end ? addDays(date, 1) : date, 0, 0, timeZone);
  };
  return { from: bound(range.from, false), to: bound(range.to, true) };
}

/** The user's own % _ and \ taken literally in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%text%` for ILIKE / LIKE, with the searcher's own % _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

export type SearchParams = Record<string, string | string[] | undefined>;

/** A page's search params as the flat object the query schemas parse (the first value of a repeated key). */
export function flatParams(params: SearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== "") out[key] = first;
  }
  return out;
}

/** The same list with some params changed (undefined removes one): pagination and filter links. */
export function hrefWith(
  path: string,
  params: Record<string, string>,
  patch: Record<string, string | number | undefined>,
): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === "") next.delete(key);
    else next.set(key, String(value));
  }
  const query = next.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * A list page's query from its URL: the filters that parse are kept and the ones that do not are named (the page
 * says so) instead of failing the whole page, since a hand-edited or old link should still show the list.
 */
export function parseListParams<S extends z.ZodType>(
  schema: S,
  params: Record<string, string>,
): { query: z.infer<S>; invalid: string[] } {
  const first = schema.safeParse(params);
  if (first.success) return { query: first.data, invalid: [] };
  const invalid = new Set<string>();
  for (const issue of first.error.issues) {
    if (issue.code === "unrecognized_keys") issue.keys.forEach((k) => invalid.add(k));
    else invalid.add(String(issue.path[0] ?? Object.keys(params).join(",")));
  }
  const kept = Object.fromEntries(Object.entries(params).filter(([key]) => !invalid.has(key)));
  const second = schema.safeParse(kept);
  return second.success
    ? { query: second.data, invalid: [...invalid] }
    : { query: schema.parse({}), invalid: Object.keys(params) };
}
