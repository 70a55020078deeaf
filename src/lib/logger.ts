import pino from "pino";
import { currentRequestId } from "@/lib/correlation";

/**
 * JSON logs, one object per line. Secrets never reach a log line: the keys below are redacted wherever they appear,
 * and errors (always logged under `err`) go through serializeError, which keeps what explains a failure and drops the
 * values it was about. LOGS.md explains the fields.
 */
const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info");

/**
 * Error fields that carry data rather than describe the failure: bound SQL parameters (drizzle `params`, postgres.js
 * `parameters` / `args`), PostgreSQL's `detail` ("Key (email)=(…) already exists", "Failing row contains (…)"),
 * `where` and `internal_query` (statements with their values), the query text (already in the message), and the
 * request/response payloads SDK errors hang on themselves.
 */
const DATA_KEYS = new Set([
  "params",
  "parameters",
  "args",
  "types",
  "detail",
  "query",
  "where",
  "internal_query",
  "internalQuery",
  "raw",
  "headers",
  "body",
  "payload",
  "request",
  "response",
  "config",
]);
const MAX_DEPTH = 8;

/**
 * An error message or stack without the values: drizzle's "Failed query: <sql>\nparams: <values>" keeps the SQL (it
 * has only placeholders) and loses the values; PostgreSQL's "invalid input syntax for type uuid: "<value>"" keeps the
 * type. Used for log lines and for the error text stored on rows (last_error).
 */
export function scrubErrorText(text: string): string {
  return text
    .replace(/\nparams: [\s\S]*$/, "\nparams: [redacted]")
    .replace(/(invalid input (?:syntax|value) for (?:type|enum) [^:\n]*: )"(?:[^"]|"")*"/g, '$1"[redacted]"');
}

/** A one-line summary of anything thrown, safe to log or store: its message, scrubbed. */
export function errorSummary(error: unknown): string {
  return scrubErrorText(error instanceof Error ? error.message : String(error));
}

function scrubStack(stack: string, rawMessage: string, message: string): string {
  // The stack starts with "<name>: <message>": swap in the scrubbed message (parameter values may contain anything,
  // newlines and "at" lines included, so the raw message is replaced as a whole), then scrub what is left.
  const at = rawMessage ? stack.indexOf(rawMessage) : -1;
  const swapped = at >= 0 ? stack.slice(0, at) + message + stack.slice(at + rawMessage.length) : stack;
  return swapped
    .replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, "\nparams: [redacted]")
    .replace(/(invalid input (?:syntax|value) for (?:type|enum) [^:\n]*: )"(?:[^"]|"")*"/g, '$1"[redacted]"');
}

type SerializedError = {
  type: string;
  message: string;
  stack?: string;
  cause?: unknown;
  errors?: unknown[];
  [key: string]: unknown;
};

/**
 * pino's `err` serializer: type, scrubbed message and stack, the error's own scalar fields that describe it (code,
 * severity, constraint / table / column / schema names, status, errno…), and the cause chain, each cause scrubbed the
 * same way. Fields in DATA_KEYS and nested objects are dropped.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (
    !(error instanceof Error) &&
    !(typeof error === "object" && error !== null && typeof (error as Error).message === "string")
  ) {
    return typeof error === "string" ? scrubErrorText(error) : error;
  }
  const e = error as Error & Record<string, unknown>;
  const rawMessage = e.message;
  const message = scrubErrorText(rawMessage);
  const out: SerializedError = {
    type: typeof e.constructor === "function" && e.constructor.name ? e.constructor.name : (e.name ?? "Error"),
    message,
  };
  if (typeof e.stack === "string") out.stack = scrubStack(e.stack, rawMessage, message);
  for (const key of Object.keys(e)) {
    if (key in out || key === "cause" || key === "errors" || DATA_KEYS.has(key)) continue;
    const value = e[key];
    if (typeof value === "string") out[key] = scrubErrorText(value);
    else if (typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  if (e.name && e.name !== out.type) out.name = e.name;
  if (depth < MAX_DEPTH) {
    if (e.cause !== undefined) out.cause = serializeError(e.cause, depth + 1);
    if (Array.isArray(e.errors)) out.errors = e.errors.slice(0, 10).map((inner) => serializeError(inner, depth + 1));
  }
  return out;
}

/** The logger's options without a destination, so tests can build the same logger over a stream of their own. */
export const loggerOptions: pino.LoggerOptions = {
  level,
  base: { service: "slotbook" },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  serializers: { err: (error: unknown) => serializeError(error) },
  // Every line logged while a request or job run is in progress carries its id (src/lib/correlation.ts), unless the
  // line or a child logger names one already (a notification row's own request id, for instance).
  mixin: (_line, _level, instance) => {
    const requestId = currentRequestId();
    return requestId && !("requestId" in instance.bindings()) ? { requestId } : {};
  },
  // A line passing `requestId: undefined` (an optional id not given) keeps the one of the work in progress.
  mixinMergeStrategy: (line, extra) =>
    (line as { requestId?: unknown }).requestId === undefined && "requestId" in extra ? { ...line, ...extra } : line,
  redact: {
    paths: [
      "password",
      "*.password",
      "token",
      "*.token",
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "secret",
      "*.secret",
      "card",
      "*.card",
    ],
    censor: "[redacted]",
  },
};

export const logger = pino(loggerOptions);

export type Logger = typeof logger;
