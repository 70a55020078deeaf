import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorCatalog } from "@/lib/errors";
import { domainEvents } from "@/server/audit/events";

/**
 * Docs that list what the code also lists are checked here, so they cannot drift (the way src/lib/env.test.ts keeps
 * .env.example equal to envSchema). Every check reads the tree as it is now: moving a file changes what is found,
 * not what the test demands.
 */

const root = process.cwd();
const read = (relative: string) => readFileSync(path.join(root, relative), "utf8");

/** Every .ts/.tsx file under a directory, tests excluded (a test may log whatever it likes). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(relative));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(relative);
  }
  return out;
}

/** The text of a `{ … }` object literal starting at `open` (a "{"), strings and template literals skipped over. */
function objectLiteralAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === "\\") i++;
    } else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

type Emitted = { names: Map<string, Set<string>>; prefixes: Map<string, Set<string>>; unnamed: string[] };

/**
 * The `event` of every pino call in the app's code: `<logger>.<level>({ …, event: "area.what", … }, "msg")`.
 * A template literal counts as its static prefix (`area.${x}` → `area.*`), which LOGS.md must then document as a
 * prefix; any other non-literal value is reported, since no document could list it.
 */
function emittedEvents(): Emitted {
  const emitted: Emitted = { names: new Map(), prefixes: new Map(), unnamed: [] };
  const call = /\.(fatal|error|warn|info|debug|trace)\(\s*\{/g;
  for (const file of ["src", "scripts"].filter((d) => existsSync(path.join(root, d))).flatMap(sourceFiles)) {
    const text = read(file);
    for (const match of text.matchAll(call)) {
      const level = match[1] ?? "";
      const object = objectLiteralAt(text, match.index + match[0].length - 1);
      const value = /[{,\s]event\s*(?::\s*([^,}\n]+))?\s*[,}\n]/.exec(object);
      if (!value) continue;
      const expression = (value[1] ?? "event").trim();
      const literal = /^"([^"]+)"$|^'([^']+)'$|^`([^`$]+)`$/.exec(expression);
      const template = /^`([^`$]*)\$\{/.exec(expression);
      const [key, into] = literal
        ? [literal[1] ?? literal[2] ?? literal[3] ?? "", emitted.names]
        : template
          ? [`${template[1]}*`, emitted.prefixes]
          : [undefined, undefined];
      if (!key || !into) {
        emitted.unnamed.push(`${file}: event: ${expression}`);
        continue;
      }
      into.set(key, (into.get(key) ?? new Set()).add(level));
    }
  }
  return emitted;
}

/** The rows of the LOGS.md table whose header is `| event | level | when |`: event names (or `prefix.*`) and level. */
function documentedEvents(): Map<string, string> {
  const documented = new Map<string, string>();
  const lines = read("LOGS.md").split(/\r?\n/);
  const header = lines.findIndex((line) => /^\|\s*event\s*\|\s*level\s*\|/.test(line));
  if (header < 0) return documented;
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [names = "", level = ""] = line
      .split("|")
      .slice(1)
      .map((cell) => cell.trim());
    for (const name of names.matchAll(/`([^`]+)`/g)) documented.set(name[1] ?? "", level);
  }
  return documented;
}

describe("LOGS.md", () => {
  const emitted = emittedEvents();
  const documented = documentedEvents();

  it("finds the events table and the code's events (the check itself works)", () => {
    expect(documented.size, "LOGS.md has no `| event | level | when |` table").toBeGreaterThan(10);
    expect(emitted.names.size, "no logger call with an event found under src/").toBeGreaterThan(10);
  });

  it("names every event literally or by a documented prefix", () => {
    expect(
      emitted.unnamed,
      "logger calls whose event is neither a string literal nor a `prefix.${…}` template",
    ).toEqual([]);
  });

  it("documents exactly the events the code emits, with their level", () => {
    const all = new Map([...emitted.names, ...emitted.prefixes]);
    const missing = [...all.keys()].filter((name) => !documented.has(name)).sort();
    const unknown = [...documented.keys()].filter((name) => !all.has(name)).sort();
    expect.soft(missing, "emitted by the code but not in LOGS.md's event table").toEqual([]);
    expect.soft(unknown, "in LOGS.md's event table but emitted nowhere under src/ or scripts/").toEqual([]);

    const wrongLevel = [...all]
      .filter(([name]) => documented.has(name))
      .filter(([name, levels]) => [...levels].sort().join(" / ") !== documented.get(name))
      .map(([name, levels]) => `${name}: code ${[...levels].sort().join(" / ")}, LOGS.md ${documented.get(name)}`);
    expect(wrongLevel, "LOGS.md's level differs from the logger method the code calls").toEqual([]);
  });
});

/** The rows of LOGS.md's `| domain event | entity | when |` table. */
function documentedDomainEvents(): string[] {
  const lines = read("LOGS.md").split(/\r?\n/);
  const header = lines.findIndex((line) => /^\|\s*domain event\s*\|/.test(line));
  if (header < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cell = line.split("|")[1] ?? "";
    for (const name of cell.matchAll(/`([^`]+)`/g)) names.push(name[1] ?? "");
  }
  return names;
}

describe("LOGS.md domain events", () => {
  it("lists exactly the catalogue (src/server/audit/events.ts)", () => {
    expect(documentedDomainEvents().sort()).toEqual([...domainEvents].sort());
  });

  it("has a catalogue entry for every audit action about a reservation, payment or notification", () => {
    const actions = new Set<string>();
    for (const file of sourceFiles("src")) {
      for (const m of read(file).matchAll(/\baction:\s*(?:"([^"]+)"|`([^`]+)`)/g)) {
        const action = m[1] ?? m[2] ?? "";
        // Audit actions only: a search pattern such as "payment.refund*" (an admin filter) is not one.
        if (/^(reservation|payment|notification)\.[a-z_]*(\$\{[^}]*\})?$/.test(action)) actions.add(action);
      }
    }
    expect(actions.size, "no audit action found (the check itself works)").toBeGreaterThan(10);
    // A template (`payment.${outcome}`) stands for the catalogue entries with its prefix.
    const uncovered = [...actions].filter((action) =>
      action.includes("${")
        ? !domainEvents.some((event) => event.startsWith(action.slice(0, action.indexOf("${"))))
        : !(domainEvents as readonly string[]).includes(action),
    );
    expect(uncovered, "audit actions that log no domain event: add them to domainEvents and LOGS.md").toEqual([]);
  });
});

describe("docs/http-errors.md", () => {
  const text = read("docs/http-errors.md");
  /** `<a id="code"></a>` followed by `### <status> \`code\``. */
  const sections = [...text.matchAll(/<a id="([^"]+)"><\/a>\s*\n###\s+(\d{3})\s+`([^`]+)`/g)].map((m) => ({
    anchor: m[1] ?? "",
    status: Number(m[2]),
    code: m[3] ?? "",
  }));
  const headings = [...text.matchAll(/^###\s+\d{3}\s+`([^`]+)`/gm)].map((m) => m[1]);

  it("has a section with an anchor for every heading (problem `type` links to /docs/http-errors#<code>)", () => {
    expect(sections.length).toBe(headings.length);
    expect(sections.filter((s) => s.anchor !== s.code).map((s) => s.code)).toEqual([]);
  });

  it("documents exactly the codes of errorCatalog, each under its status", () => {
    const catalog = Object.entries(errorCatalog).map(([code, { status }]) => ({ code, status }));
    const documented = new Map(sections.map((s) => [s.code, s.status]));
    const missing = catalog.filter((c) => !documented.has(c.code)).map((c) => c.code);
    const unknown = sections.filter((s) => !(s.code in errorCatalog)).map((s) => s.code);
    const wrongStatus = catalog
      .filter((c) => documented.has(c.code) && documented.get(c.code) !== c.status)
      .map((c) => `${c.code}: catalog ${c.status}, docs ${documented.get(c.code)}`);
    expect
      .soft(missing, "in errorCatalog (src/lib/errors.ts) but without a section in docs/http-errors.md")
      .toEqual([]);
    expect.soft(unknown, "a section in docs/http-errors.md for a code errorCatalog does not have").toEqual([]);
    expect(wrongStatus, "docs/http-errors.md gives another status than errorCatalog").toEqual([]);
  });
});

describe("README architecture sketch", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## Architecture"));
  const sketch = /```\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "";
  const serverBlock = sketch.slice(sketch.indexOf("src/server/ "), sketch.indexOf("src/server/db"));
  const drizzleBlock = sketch.slice(sketch.search(/^\s*drizzle\//m));
  const dirs = (relative: string) =>
    readdirSync(path.join(root, relative), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);

  it("is found (the check itself works)", () => {
    expect(sketch).toContain("src/server/");
    expect(serverBlock.length).toBeGreaterThan(0);
    expect(drizzleBlock).toMatch(/\b0000\b/);
  });

  it("names only paths that exist", () => {
    // Repository paths (src/…, drizzle/…) and files named relative to src/ or src/server/ (security/client-ip.ts).
    const tokens = new Set([
      ...[...sketch.matchAll(/(?<![\w/.])(?:src|drizzle|scripts|bench|tests|docs)\/[\w./[\]-]*/g)].map((m) => m[0]),
      ...[...sketch.matchAll(/(?<![\w/.])[\w-]+(?:\/[\w.-]+)*\.tsx?\b/g)].map((m) => m[0]),
    ]);
    const exists = (token: string) =>
      ["", "src", "src/server", "src/lib"].some((base) => existsSync(path.join(root, base, token.replace(/\/$/, ""))));
    expect([...tokens].filter((token) => !exists(token)).sort()).toEqual([]);
  });

  it("names every directory under src/server/ (and every emulator) in its src/server block", () => {
    const named = (name: string) =>
      new RegExp(`(?<![\\w-])${name}(?![\\w-])`).test(serverBlock) || sketch.includes(`src/server/${name}`);
    const expected = [...dirs("src/server"), ...dirs("src/server/emulators")];
    expect(expected.filter((name) => !named(name)).sort()).toEqual([]);
  });

  it("lists exactly the migrations in drizzle/", () => {
    const files = readdirSync(path.join(root, "drizzle"))
      .map((name) => /^(\d{4})_.*\.sql$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort();
    const listed = [
      ...new Set([...drizzleBlock.matchAll(/(?<![\w.])(\d{4})(?![\w.])/g)].map((m) => m[1] ?? "")),
    ].sort();
    expect(listed, "README's drizzle/ line vs the migration files").toEqual(files);
  });
});

describe("paths named in the docs", () => {
  /** Markdown files that explain the code: README, LOGS.md, docs/ (decisions included), bench/README.md. */
  const markdown = [
    "README.md",
    "LOGS.md",
    "bench/README.md",
    ...readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".md"))
      .map((name) => path.join("docs", name)),
  ];

  /** `drizzle/0006` names a migration by its number; anything else must exist as written. */
  const exists = (token: string) => {
    const clean = token.replace(/[#:].*$/, "").replace(/\/$/, "");
    if (existsSync(path.join(root, clean))) return true;
    const migration = /^drizzle\/(\d{4})$/.exec(clean);
    return (
      migration !== null && readdirSync(path.join(root, "drizzle")).some((name) => name.startsWith(`${migration[1]}_`))
    );
  };

  it("exist: every `src/…`, `tests/…`, `drizzle/…`, `scripts/…`, `bench/…` and `docs/…` path in backticks", () => {
    const missing = markdown.flatMap((file) =>
      [...read(file).matchAll(/`((?:src|tests|drizzle|scripts|bench|docs)\/[^`\s]*)`/g)]
        .map((m) => m[1] ?? "")
        .filter((token) => !/[*<…]/.test(token) && !exists(token))
        .map((token) => `${file}: ${token}`),
    );
    expect(missing, "moved or renamed? update the doc that names it").toEqual([]);
  });
});
