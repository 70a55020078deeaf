import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MESSAGE_NAMESPACES } from "./request";

const root = path.resolve(__dirname, "../../messages");
const load = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8")) as Record<string, unknown>;

/** Every key path of a message tree ("a.b.c"), sorted. */
function keys(tree: unknown, prefix = ""): string[] {
  if (tree === null || typeof tree !== "object") return [prefix];
  return Object.entries(tree as Record<string, unknown>)
    .flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
    .sort();
}

describe("messages", () => {
  it("the shared files have the same keys in Japanese and English", () => {
    expect(keys(load("en.json"))).toEqual(keys(load("ja.json")));
  });

  it.each(MESSAGE_NAMESPACES)("namespace %s has the same keys in both languages and shadows nothing shared", (ns) => {
    expect(keys(load(`${ns}/en.json`))).toEqual(keys(load(`${ns}/ja.json`)));
    expect(keys(load(`${ns}/ja.json`)).length).toBeGreaterThan(0);
    expect(Object.keys(load("ja.json"))).not.toContain(ns);
  });
});
