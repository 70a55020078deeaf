import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The GitHub Actions workflows (.github/workflows) are never run here, so this keeps them honest: valid YAML, every
 * `npm run` script and repository file they name exists, no untrusted value is spliced into a shell script, and the
 * pieces the docs promise (services, .ci/run, smoke --notify with its secret) are there.
 * js-yaml is a devDependency (pinned); it has no bundled types, so it is loaded by name with the one signature used.
 */

type Step = { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { "runs-on"?: string; services?: Record<string, unknown>; env?: Record<string, string>; steps?: Step[] };
type Workflow = { name?: string; on?: Record<string, unknown>; jobs?: Record<string, Job> };

const root = process.cwd();
const { load } = createRequire(import.meta.url)("js-yaml") as { load: (text: string) => unknown };
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);
const files = ["ci.yml", "smoke.yml"];
const workflow = (file: string) => load(readFileSync(path.join(root, ".github/workflows", file), "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs ?? {}).flatMap((job) => job.steps ?? []);

describe.each(files)(".github/workflows/%s", (file) => {
  const w = workflow(file);

  it("parses as a workflow with triggers and at least one job with steps", () => {
    expect(typeof w.name).toBe("string");
    expect(Object.keys(w.on ?? {}).length).toBeGreaterThan(0);
    expect(steps(w).length).toBeGreaterThan(0);
    for (const step of steps(w)) expect(step.uses ?? step.run, JSON.stringify(step)).toBeTruthy();
  });

  it("names only npm scripts and repository files that exist", () => {
    const runs = steps(w).flatMap((s) => (s.run ? [s.run] : []));
    const npmScripts = runs.flatMap((r) => [...r.matchAll(/\bnpm run(?: -s)? ([\w:.-]+)/g)].map((m) => m[1] ?? ""));
    expect(npmScripts.filter((s) => !scripts.includes(s))).toEqual([]);
    const paths = runs.flatMap((r) => [...r.matchAll(/\bbash ([\w./-]+)/g)].map((m) => m[1] ?? ""));
    expect(paths.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });

  it("splices no expression into a shell script (values reach `run` through env)", () => {
    const spliced = steps(w).filter((s) => s.run?.includes("${{"));
    expect(spliced.map((s) => s.run)).toEqual([]);
  });

  it("pins every action to a version", () => {
    const unpinned = steps(w).filter((s) => s.uses !== undefined && !/@v\d+|@[0-9a-f]{40}$/.test(s.uses));
    expect(unpinned.map((s) => s.uses)).toEqual([]);
  });
});

describe("the workflows' contents", () => {
  it("ci.yml runs .ci/run with PostgreSQL and Redis services and TEST_DATABASE_URL pointing at them", () => {
    const w = workflow("ci.yml");
    expect(Object.keys(w.on ?? {}).sort()).toEqual(["pull_request", "push"]);
    const job = Object.values(w.jobs ?? {})[0] ?? {};
    expect(Object.keys(job.services ?? {}).sort()).toEqual(["postgres", "redis"]);
    expect(job.env?.TEST_DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/postgres");
    expect(steps(w).some((s) => s.run === "bash .ci/run")).toBe(true);
  });

  it("ci.yml's Node version satisfies package.json engines", () => {
    const engines = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string } })
      .engines.node;
    const minimum = /^>=(\d+)\.(\d+)/.exec(engines);
    expect(minimum, engines).not.toBeNull();
    for (const file of files) {
      for (const step of steps(workflow(file)).filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
        expect(Number(step.with?.["node-version"]), file).toBeGreaterThanOrEqual(Number(minimum?.[1]));
      }
    }
  });

  it("smoke.yml runs `npm run smoke -- --notify` with the webhook from a secret, by hand or after a deployment", () => {
    const w = workflow("smoke.yml");
    expect(Object.keys(w.on ?? {}).sort()).toEqual(["deployment_status", "workflow_dispatch"]);
    const smoke = steps(w).find((s) => s.run === "npm run smoke -- --notify");
    expect(smoke?.env?.SMOKE_ALERT_WEBHOOK_URL).toBe("${{ secrets.SMOKE_ALERT_WEBHOOK_URL }}");
    expect(smoke?.env?.BASE_URL).toContain("inputs.base_url");
  });
});
