import { z } from "zod";

/**
 * The one rule for text that people and clients send: no control characters. PostgreSQL refuses NUL (U+0000) in text
 * outright, and the other C0 controls and DEL have no business in a name, a reason or a search box (they hide text in
 * logs and CSV exports). Tab, line feed and carriage return are allowed only where several lines are expected.
 *
 * The route wrapper applies the lenient (multi-line) rule to every string of every request (src/server/http/route.ts), so
 * nothing with NUL reaches a query whatever the schema says; `text()` adds the field's own rule and a clear message.
 */

/** C0 controls other than \t \n \r, and DEL: never accepted anywhere. */
export const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Every C0 control and DEL: refused in single-line fields. */
export const SINGLE_LINE_CONTROL = /[\u0000-\u001F\u007F]/;
/**
 * Half of a surrogate pair on its own: not a character at all. JSON may spell one ("\ud800"), and PostgreSQL's json and
 * jsonb refuse it, so it is refused with the control characters.
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const CONTROL_MESSAGE = "must not contain control characters";
export const LINE_BREAK_MESSAGE = "must be one line, without tabs or control characters";
export const SURROGATE_MESSAGE = "must be valid Unicode text (an unpaired surrogate was found)";

/** The message for a string that breaks the rule (multiline: the lenient rule), or null when it is fine. */
export function textProblem(value: string, options: { multiline?: boolean } = {}): string | null {
  if ((options.multiline ? FORBIDDEN_CONTROL : SINGLE_LINE_CONTROL).test(value))
    return options.multiline ? CONTROL_MESSAGE : LINE_BREAK_MESSAGE;
  return LONE_SURROGATE.test(value) ? SURROGATE_MESSAGE : null;
}

export function hasForbiddenControl(value: string, options: { multiline?: boolean } = {}): boolean {
  return textProblem(value, options) !== null;
}

/** Deepest nesting of arrays and objects accepted in a request (a JSON body, a webhook payload). */
export const MAX_NESTING = 32;
export const NESTING_MESSAGE = `is nested too deeply (at most ${MAX_NESTING} levels)`;

export type TextFinding = { path: (string | number)[]; message: string };

/**
 * The first string in a JSON-like value (object keys included) that breaks the lenient rule (a control character
 * other than \t \n \r, or an unpaired surrogate), or that nests deeper than MAX_NESTING, with its path
 * (["customer", "name"]; a key's own path ends in the key) and the message. null when there is none.
 */
export function findForbiddenControl(value: unknown, path: (string | number)[] = [], depth = 0): TextFinding | null {
  if (typeof value === "string") {
    const message = textProblem(value, { multiline: true });
    return message ? { path, message } : null;
  }
  if (value === null || typeof value !== "object") return null;
  // No request has a reason to nest deeper; thousands of levels would overflow the stack of whatever reads it next.
  if (depth >= MAX_NESTING) return { path, message: NESTING_MESSAGE };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenControl(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const message = textProblem(key, { multiline: true });
    if (message) return { path: [...path, key], message };
    const found = findForbiddenControl(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

type TextOptions = {
  /** Longest accepted length, after trimming. */
  max: number;
  /** Shortest accepted length after trimming (default 0; use 1 for a required field). */
  min?: number;
  /** Allow \t \n \r inside (messages, CSV files); otherwise every control character is refused. */
  multiline?: boolean;
  /** Trim surrounding whitespace first (default true). */
  trim?: boolean;
  /** Message for a value shorter than `min` (default zod's). */
  minMessage?: string;
  /** Message for a value longer than `max`. */
  maxMessage?: string;
};

/**
 * A text field: trimmed, length-bounded, free of control characters and unpaired surrogates (the message says which
 * rule failed).
 */
export function text(options: TextOptions) {
  const { max, min = 0, multiline = false, trim = true } = options;
  let schema = z.string();
  if (trim) schema = schema.trim();
  schema = schema.superRefine((s, ctx) => {
    const message = textProblem(s, { multiline });
    if (message) ctx.addIssue({ code: "custom", message, continue: false });
  });
  if (min > 0) schema = schema.min(min, options.minMessage);
  return schema.max(max, options.maxMessage ?? `at most ${max} characters`);
}

/**
 * Whether a value from a URL (a page's dynamic segment, a search param) is worth looking up: a string of 1–max
 * characters without control characters. Pages answer 404 for anything else instead of sending it to the database.
 */
export function isLookupKey(value: unknown, max = 200): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max && textProblem(value) === null;
}
