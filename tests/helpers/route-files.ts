import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * The App Router's files (route.ts, page.tsx) as the URLs they serve, found on disk when a test runs, so a new route
 * or page is covered by the tests that enumerate them (tests/integration/admin-guards.test.ts, fuzz-routes.test.ts)
 * without touching those tests.
 */
export const APP_DIR = path.resolve(process.cwd(), "src/app");
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One dynamic segment: `[name]` or `[...name]`, with the folder above it (which usually says what the id is of). */
export type RouteParam = { name: string; parent: string; catchAll: boolean };
/** A URL path segment: literal text, or a dynamic parameter. */
export type RouteSegment = string | RouteParam;
export type AppFile = { file: string; segments: RouteSegment[]; /** e.g. /api/admin/slots/[id] */ pattern: string };

/**
 * Files under src/app/<area> whose name matches, with their URL segments: route groups and parallel-route slots leave
 * no segment, private folders are skipped, optional catch-alls (`[[...name]]`) leave none either.
 */
export function appFiles(area: string, fileName: RegExp): AppFile[] {
  let files: string[];
  try {
    files = readdirSync(path.join(APP_DIR, area), { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return files
    .filter((f) => fileName.test(path.basename(f)))
    .map((f) => ({ file: path.join(APP_DIR, area, f), folders: path.dirname(path.join(area, f)).split(path.sep) }))
    .filter(({ folders }) => !folders.some((s) => s.startsWith("_")))
    .map(({ file, folders }) => {
      const segments: RouteSegment[] = [];
      folders.forEach((folder, i) => {
        if (/^\(.*\)$/.test(folder) || folder.startsWith("@")) return;
        const dynamic = /^\[(\[)?(\.\.\.)?([^\]]+)\]\]?$/.exec(folder);
        if (!dynamic) return void segments.push(folder);
        const [, optional, catchAll, name = ""] = dynamic;
        if (optional) return;
        segments.push({ name, parent: folders[i - 1] ?? "", catchAll: Boolean(catchAll) });
      });
      const pattern = `/${segments.map((s) => (typeof s === "string" ? s : s.catchAll ? `[...${s.name}]` : `[${s.name}]`)).join("/")}`;
      return { file, segments, pattern };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export type Entry = { file: string; url: string; params: Record<string, string | string[]> };

/** The same files with every [param] and [...param] filled in by paramValue (as is, not URL-encoded), by URL. */
export function entries(area: string, fileName: RegExp, paramValue: (parent: string, name: string) => string): Entry[] {
  return appFiles(area, fileName)
    .map(({ file, segments }) => {
      const params: Record<string, string | string[]> = {};
      const parts = segments.map((segment) => {
        if (typeof segment === "string") return segment;
        const value = paramValue(segment.parent, segment.name);
        params[segment.name] = segment.catchAll ? [value] : value;
        return value;
      });
      return { file, url: `/${parts.join("/")}`, params };
    })
    .sort((a, b) => a.url.localeCompare(b.url));
}
