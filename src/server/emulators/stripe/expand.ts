import { invalidParam } from "./errors";
import { objects, snapshot } from "./state";

/**
 * `expand[]=payment_intent`, `expand[]=latest_charge`, `expand[]=payment_intent.latest_charge`: replaces an id
 * with the object it names, as the real API does, and refuses anything that is not an id of a stored object.
 */
export function expandObject(object: object, paths: string[]): unknown {
  const copy = snapshot(object) as Record<string, unknown>;
  for (const path of paths) expandPath(copy, path.split("."), path);
  return copy;
}

function expandPath(target: Record<string, unknown>, segments: string[], fullPath: string): void {
  const [field, ...rest] = segments;
  if (field === undefined) return;
  const value = target[field];
  if (value === null) return;
  let expanded: Record<string, unknown> | null = null;
  if (typeof value === "string") expanded = lookup(value);
  else if (typeof value === "object" && !Array.isArray(value)) expanded = value as Record<string, unknown>;
  if (!expanded) throw invalidParam("expand", `This property cannot be expanded (${fullPath}).`);
  target[field] = expanded;
  expandPath(expanded, rest, fullPath);
}

function lookup(id: string): Record<string, unknown> | null {
  const state = objects();
  const found =
    (id.startsWith("pi_") && state.paymentIntents.get(id)) ||
    (id.startsWith("ch_") && state.charges.get(id)) ||
    (id.startsWith("re_") && state.refunds.get(id)) ||
    (id.startsWith("cs_") && state.sessions.get(id)) ||
    null;
  return found ? (snapshot(found) as unknown as Record<string, unknown>) : null;
}
