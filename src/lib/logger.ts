import pino from "pino";

/**
 * JSON logs, one object per line. Secrets never reach a log line: the keys below are redacted wherever they appear.
 * LOGS.md explains the fields.
 */
const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info");

export const logger = pino({
  level,
  base: { service: "slotbook" },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
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
});

export type Logger = typeof logger;
