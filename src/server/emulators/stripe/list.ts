import type Stripe from "stripe";
import { invalidParam, noSuch } from "./errors";
import type { FormValue } from "./form";
import { snapshot } from "./state";

/**
 * Stripe's list endpoints, shared: `limit` (1–100, default 10), cursor pagination by `starting_after` /
 * `ending_before` (an id from the list; an unknown id is a 400 naming the parameter), newest first, and the `created`
 * filter (an exact timestamp or a gt/gte/lt/lte range). Each list adds its own filters before paging.
 */
export function listPage<T extends { id: string }>(
  newestFirst: T[],
  params: Record<string, FormValue>,
  list: { url: string; objectName: string },
): Stripe.ApiList<T> {
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidParam("limit", "Invalid integer: limit must be between 1 and 100.");
  }
  const cursorIndex = (id: string, param: string): number => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index < 0) throw noSuch(list.objectName, id, param, 400);
    return index;
  };
  let page: T[];
  let hasMore: boolean;
  if (typeof params.ending_before === "string") {
    const before = newestFirst.slice(0, cursorIndex(params.ending_before, "ending_before"));
    page = before.slice(-limit);
    hasMore = before.length > limit;
  } else {
    const after = params.starting_after;
    const start = typeof after === "string" ? cursorIndex(after, "starting_after") + 1 : 0;
    page = newestFirst.slice(start, start + limit);
    hasMore = newestFirst.length > start + limit;
  }
  return { object: "list", data: page.map((item) => snapshot(item)), has_more: hasMore, url: list.url };
}

/** The `created` filter of every list: `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`. */
export function createdFilter(created: FormValue | undefined): (at: number) => boolean {
  if (created === undefined) return () => true;
  if (typeof created === "string") {
    const exact = integerParam(created, "created");
    return (at) => at === exact;
  }
  if (Array.isArray(created))
    throw invalidParam("created", "Invalid timestamp: created must be an integer or a range.");
  const bounds = Object.entries(created).map(([op, raw]) => {
    if (!["gt", "gte", "lt", "lte"].includes(op)) {
      throw invalidParam(`created[${op}]`, `Received unknown parameter: created[${op}]`);
    }
    if (typeof raw !== "string") throw invalidParam(`created[${op}]`, "Invalid integer.");
    return { op, value: integerParam(raw, `created[${op}]`) };
  });
  return (at) =>
    bounds.every(({ op, value }) =>
      op === "gt" ? at > value : op === "gte" ? at >= value : op === "lt" ? at < value : at <= value,
    );
}

function integerParam(raw: string, param: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw invalidParam(param, `Invalid integer: ${raw}`);
  return value;
}
