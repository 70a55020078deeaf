import { expect } from "vitest";
import { callRoute, type RouteHandler } from "./http";

/** The METRICS_TOKEN the metrics tests configure (32+ characters, like the env schema asks). */
export const TOKEN = "metrics-token-for-tests-0123456789abcdef";

/** GET /api/metrics with the token; asserts 200 and the Prometheus text content type, returns the body. */
export async function scrape(handler: RouteHandler): Promise<string> {
  const res = await callRoute(handler, "/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  expect({ status: res.status, body: text.slice(0, 500) }).toMatchObject({ status: 200 });
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return text;
}

/** The value of one sample, e.g. `http_requests_total{route="/api/ping",method="GET",status="200"}`; undefined when absent. */
export function metricValue(exposition: string, sample: string): number | undefined {
  for (const line of exposition.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1).split(" ")[0]);
  }
  return undefined;
}
