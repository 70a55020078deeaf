import { reservationQueryKeys } from "@/lib/schemas/reservation-list";

/**
 * The list page's search params as the flat strings the query schema parses and links are built from. Checkboxes
 * send `status` once per box; the page keeps it as one comma list, so links and the export carry one parameter.
 */
export type PageSearchParams = Record<string, string | string[] | undefined>;

export function flatListParams(params: PageSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const joined = Array.isArray(value) ? (key === "status" ? value.join(",") : (value[0] ?? "")) : (value ?? "");
    if (joined !== "") out[key] = joined;
  }
  return out;
}

/** The list URL with some params changed (undefined or "" removes one), in a stable key order. */
export function listHref(
  params: Record<string, string>,
  patch: Record<string, string | number | undefined> = {},
  path = "/manage/reservations",
): string {
  const merged: Record<string, string> = { ...params };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === "") delete merged[key];
    else merged[key] = String(value);
  }
  const ordered = new URLSearchParams();
  for (const key of reservationQueryKeys) if (merged[key] !== undefined) ordered.set(key, merged[key]);
  for (const [key, value] of Object.entries(merged)) if (!ordered.has(key)) ordered.set(key, value);
  const query = ordered.toString();
  return query ? `${path}?${query}` : path;
}

/** The CSV download for the same filters and sort (the export has no pages). */
export function exportHref(params: Record<string, string>): string {
  return listHref(params, { page: undefined, pageSize: undefined }, "/api/admin/reservations/export");
}
