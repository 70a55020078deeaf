// The import boundary that a path pattern cannot express, as a local ESLint rule (used by eslint.config.mjs):
// a "use client" module, and every module it imports in turn, must not reach server-only code. Server actions
// ("use server" modules) are the one way across: the client gets a reference to them, not their code.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = import.meta.dirname;
const SRC = path.join(ROOT, "src");
const SERVER = path.join(SRC, "server") + path.sep;
/** Packages that only run on the server (the database drivers and ORM, and the marker that says so). */
const SERVER_PACKAGES =
  /^(server-only|drizzle-orm|postgres|@electric-sql\/pglite|pg|ioredis|nodemailer|twilio|stripe)(\/|$)/;
const EXTENSIONS = [".ts", ".tsx", "/index.ts", "/index.tsx"];

/** Value imports and re-exports of a module's text: `import type` / `export type` and all-`type` braces are erased. */
const IMPORT =
  /^\s*(import|export)\s+(?:(type)\s+)?([^'";]*?)\s*from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;

function valueSpecifiers(text) {
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[5]) {
      out.push(m[5]);
      continue;
    }
    if (m[2] === "type") continue;
    const braces = /^\{([\s\S]*)\}$/.exec(m[3] ?? "");
    if (braces) {
      const names = braces[1]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    }
    out.push(m[4]);
  }
  return out;
}

function resolveLocal(specifier, fromFile) {
  let base;
  if (specifier.startsWith("@/")) base = path.join(SRC, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(fromFile), specifier);
  else return null;
  if (existsSync(base) && !existsSync(path.join(base, "index.ts")) && /\.[cm]?[jt]sx?$/.test(base)) return base;
  for (const ext of EXTENSIONS) if (existsSync(base + ext)) return base + ext;
  return null;
}

const firstDirective = (text) =>
  /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use (client|server)["']/.exec(text)?.[1] ?? null;

/** Why `file` (already reached from client code) is server-only, or null; walks its value imports depth-first. */
function serverReach(file, seen, cache) {
  if (cache.has(file)) return cache.get(file);
  if (seen.has(file)) return null;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  let found = null;
  if (firstDirective(text) === "server")
    found = null; // a server action: the client holds a reference only
  else if (file.startsWith(SERVER)) found = [path.relative(ROOT, file)];
  else {
    for (const spec of valueSpecifiers(text)) {
      if (SERVER_PACKAGES.test(spec)) {
        found = [path.relative(ROOT, file), spec];
        break;
      }
      const target = resolveLocal(spec, file);
      const below = target && serverReach(target, seen, cache);
      if (below) {
        found = [path.relative(ROOT, file), ...below];
        break;
      }
    }
  }
  cache.set(file, found);
  return found;
}

const noServerInClient = {
  meta: {
    type: "problem",
    docs: {
      description: 'A "use client" module must not import server-only code, directly or through what it imports.',
    },
    schema: [],
    messages: {
      serverOnly:
        '"use client" module imports server-only code: {{chain}}. Move what both sides need to src/lib (shared schemas: src/lib/schemas/), or call the server through a "use server" action or the API.',
    },
  },
  create(context) {
    const filename = context.filename;
    if (firstDirective(context.sourceCode.text) !== "client") return {};
    const cache = new Map();
    const check = (node) => {
      if (!node.source || node.importKind === "type" || node.exportKind === "type") return;
      const specs = node.specifiers ?? [];
      if (specs.length > 0 && specs.every((s) => s.importKind === "type" || s.exportKind === "type")) return;
      const spec = String(node.source.value);
      let chain = null;
      if (SERVER_PACKAGES.test(spec)) chain = [spec];
      else {
        const target = resolveLocal(spec, filename);
        const below = target && serverReach(target, new Set([filename]), cache);
        if (below) chain = below;
      }
      if (chain) context.report({ node: node.source, messageId: "serverOnly", data: { chain: chain.join(" → ") } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export const layering = { rules: { "no-server-in-client": noServerInClient } };
