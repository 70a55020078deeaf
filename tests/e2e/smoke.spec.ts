import { expect, test } from "@playwright/test";
import { formatResults, runSmokeChecks } from "../../scripts/smoke-checks";

test("the smoke checks pass against the E2E server (mocks allowed)", async ({ baseURL }) => {
  const results = await runSmokeChecks(baseURL ?? "http://127.0.0.1:3100");
  const table = formatResults(results);
  await test.info().attach("smoke.txt", { body: table, contentType: "text/plain" });
  expect(
    results.filter((r) => !r.ok),
    table,
  ).toEqual([]);
  // The E2E server runs with mocks allowed, so the dev-surface rows are the "mocks on" ones.
  expect(results.map((r) => r.check)).toContain("dev: /api/dev/clock (mocks on)");
});
