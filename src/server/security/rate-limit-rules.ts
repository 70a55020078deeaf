/**
 * Every rate limit the app applies, in one table (docs/security.md explains each number). A rule allows `points`
 * per `seconds` for one subject: a client address ("ip"), an email address, or a signed-in user. Subjects are hashed
 * before they reach the store.
 *
 * `whenStoreDown`: what a request gets when the counter store (Redis or PostgreSQL) cannot be reached. "closed"
 * refuses (503, Retry-After) where a guess or a message costs something (sign-in, codes, sign-up, emails to a
 * recipient); "open" lets the request through, logged, where refusing would take the shop offline (reads, bookings,
 * whose seats the database caps anyway).
 *
 * Any rule can be changed without a release: RATE_LIMITS="hold.ip=40/60,api.read=1200/60".
 */
export type Subject = "ip" | "email" | "user";

export type RuleSpec = {
  points: number;
  seconds: number;
  subject: Subject;
  whenStoreDown: "open" | "closed";
  /** One line for docs and logs. */
  purpose: string;
};

export const RATE_LIMIT_RULES = {
  "api.read": {
    points: 600,
    seconds: 60,
    subject: "ip",
    whenStoreDown: "open",
    purpose:
      "GET requests to the API per client (10 a second on average: a whole office behind one NAT browsing slots)",
  },
  "api.write": {
    points: 120,
    seconds: 60,
    subject: "ip",
    whenStoreDown: "open",
    purpose: "POST/PUT/PATCH/DELETE requests to the API per client",
  },
  "admin.user": {
    points: 1200,
    seconds: 60,
    subject: "user",
    whenStoreDown: "open",
    purpose: "requests to /api/admin/** per signed-in staff member (the screens page through lists quickly)",
  },
  "hold.ip": {
    points: 10,
    seconds: 60,
    subject: "ip",
    whenStoreDown: "open",
    purpose: "new bookings or holds per client per minute (a customer makes one; an office NAT a few)",
  },
  "booking.email": {
    points: 5,
    seconds: 3600,
    subject: "email",
    whenStoreDown: "open",
    purpose:
      "bookings naming one recipient address per hour, signed-in or not (each may send an email: no email bombing); open when the store is down, so an outage does not stop every booking",
  },
  "signin.password.ip": {
    points: 30,
    seconds: 900,
    subject: "ip",
    whenStoreDown: "closed",
    purpose: "password sign-in attempts per client per 15 minutes (whatever the account)",
  },
  "signin.password.account": {
    points: 5,
    seconds: 86_400,
    subject: "email",
    whenStoreDown: "closed",
    purpose:
      "failed password sign-ins per account before a lockout that doubles with each further failure (1 minute, 2, 4 … up to 1 hour); a success clears it",
  },
  "signin.code_send.ip": {
    points: 10,
    seconds: 3600,
    subject: "ip",
    whenStoreDown: "closed",
    purpose: "sign-in codes requested per client per hour",
  },
  "signin.code_send.email": {
    points: 5,
    seconds: 3600,
    subject: "email",
    whenStoreDown: "closed",
    purpose: "sign-in codes requested per address per hour",
  },
  "signin.code_verify.ip": {
    points: 20,
    seconds: 900,
    subject: "ip",
    whenStoreDown: "closed",
    purpose: "codes and sign-in links tried per client per 15 minutes",
  },
  "signin.code_verify.email": {
    points: 5,
    seconds: 900,
    subject: "email",
    whenStoreDown: "closed",
    purpose:
      "codes tried per address per 15 minutes (a six-digit code has a million values; 5 guesses leave a 1 in 200,000 chance)",
  },
  "signup.ip": {
    points: 5,
    seconds: 3600,
    subject: "ip",
    whenStoreDown: "closed",
    purpose: "accounts created per client per hour",
  },
} as const satisfies Record<string, RuleSpec>;

export type RuleName = keyof typeof RATE_LIMIT_RULES;

export const RULE_NAMES = Object.keys(RATE_LIMIT_RULES) as RuleName[];

export function isRuleName(name: string): name is RuleName {
  return Object.hasOwn(RATE_LIMIT_RULES, name);
}

/** Parses RATE_LIMITS ("off" or "rule=points/seconds,…") over the table; unknown rule names are an error. */
export function rulesWithOverrides(overrides: string | undefined): { rules: Record<RuleName, RuleSpec>; off: boolean } {
  const rules = { ...RATE_LIMIT_RULES } as Record<RuleName, RuleSpec>;
  if (!overrides) return { rules, off: false };
  if (overrides === "off") return { rules, off: true };
  for (const part of overrides.split(",")) {
    const match = /^([a-z_.]+)=(\d+)\/(\d+)$/.exec(part.trim());
    if (!match) throw new Error(`RATE_LIMITS: cannot read "${part}" (expected rule=points/seconds)`);
    const [, name = "", points = "0", seconds = "0"] = match;
    if (!isRuleName(name)) throw new Error(`RATE_LIMITS: unknown rule "${name}" (known: ${RULE_NAMES.join(", ")})`);
    if (Number(points) < 1 || Number(seconds) < 1)
      throw new Error(`RATE_LIMITS: ${name} needs at least 1 point per 1 second`);
    rules[name] = { ...rules[name], points: Number(points), seconds: Number(seconds) };
  }
  return { rules, off: false };
}
