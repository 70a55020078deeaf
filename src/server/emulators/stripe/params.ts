import type Stripe from "stripe";
import { invalidParam, missingParam } from "./errors";
import type { FormValue } from "./form";

/** Reading parsed form parameters with the errors Stripe gives for each kind of bad value. */

export type Params = Record<string, FormValue>;

export function optionalString(params: Params, name: string, path = name): string | null {
  const value = params[name];
  if (value === undefined) return null;
  if (typeof value !== "string") throw invalidParam(path, `Invalid string: ${path} must be a string.`);
  return value;
}

export function requiredString(params: Params, name: string, path = name): string {
  const value = optionalString(params, name, path);
  if (value === null || value === "") throw missingParam(path);
  return value;
}

export function optionalInteger(params: Params, name: string, path = name): number | null {
  const value = optionalString(params, name, path);
  if (value === null) return null;
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number)) throw invalidParam(path, `Invalid integer: ${value}`);
  return number;
}

export function optionalObject(params: Params, name: string, path = name): Params | null {
  const value = params[name];
  if (value === undefined) return null;
  if (typeof value === "string" || Array.isArray(value))
    throw invalidParam(path, `Invalid object: ${path} must be a hash.`);
  return value;
}

/** `metadata[key]=value` pairs; nested values are refused, as Stripe refuses them. */
export function metadataParam(params: Params, name: string, path = name): Stripe.Metadata {
  // `metadata=` (empty) is how Stripe clients send "no metadata".
  if (params[name] === "") return {};
  const value = optionalObject(params, name, path) ?? {};
  const metadata: Stripe.Metadata = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string")
      throw invalidParam(`${path}[${key}]`, `Invalid string: ${path}[${key}] must be a string.`);
    metadata[key] = entry;
  }
  return metadata;
}

/** `expand[]=payment_intent` (the SDK sends `expand[0]=…`). */
export function expandParam(params: Params): string[] {
  const value = params.expand;
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidParam("expand", "Invalid array: expand must be an array of strings.");
  return value.filter((v): v is string => typeof v === "string");
}
