import { readFileSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * Files under src/ stay short enough to read in one sitting. A file over LIMIT lines must say why in a
 * "// Long on purpose: …" comment at its top; one that cannot is split instead (issue 12).
 */
const LIMIT = 300;
const root = path.resolve(__dirname, "..");

function sourceFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "src"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed.split("\n").filter((file) => /\.(ts|tsx|mjs)$/.test(file));
}

describe("file length", () => {
  it(`every file under src/ over ${LIMIT} lines states why at its top`, () => {
    const unexplained = sourceFiles().flatMap((file) => {
      const text = readFileSync(path.join(root, file), "utf8");
      const lines = text.split("\n").length;
      if (lines <= LIMIT) return [];
      const head = text.split("\n").slice(0, 5).join("\n");
      return /\/\/ Long on purpose: \S/.test(head) ? [] : [`${file} (${lines} lines)`];
    });
    expect(unexplained, "split these files, or say why they are long in a `// Long on purpose:` comment").toEqual([]);
  });

  it("finds the source files it checks", () => {
    const files = sourceFiles();
    expect(files).toContain("src/server/db/schema.ts");
    expect(files.length).toBeGreaterThan(100);
  });
});
