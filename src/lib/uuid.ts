/**
 * True for text in the canonical 8-4-4-4-12 hex form, any version: what PostgreSQL's `uuid` type accepts without a
 * cast error. Ids from URLs, sessions and a gateway's metadata are untrusted text; only a UUID is used to look up rows.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare const uuidBrand: unique symbol;
/** A string known to be a UUID (branded, so a failed check still leaves a plain string in the other branch). */
export type Uuid = string & { readonly [uuidBrand]: true };

export function isUuid(value: unknown): value is Uuid {
  return typeof value === "string" && UUID.test(value);
}
