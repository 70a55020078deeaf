/**
 * `npm run payments:refund -- <reservation-code> [amount] --reason "…"`: refunds a reservation's captured payment in
 * full, or the given amount (minor units: JPY 500 = ¥500). With real Stripe (STRIPE_SECRET_KEY) and PostgreSQL it runs
 * refundPayment here; in the embedded default the emulator and PGlite live inside the running app (`npm run dev`), so
 * it asks the app (POST /api/dev/payments/refunds) to run the same function.
 */
import { loadConfig } from "../src/lib/env";
import { getDatabaseForScript } from "./script-db";

const args = process.argv.slice(2);
const reasonAt = args.indexOf("--reason");
const reason = reasonAt >= 0 ? args[reasonAt + 1] : undefined;
const positional = args.filter((_, i) => i !== reasonAt && i !== reasonAt + 1);
const [code, amountArg] = positional;
const amount = amountArg === undefined ? undefined : Number(amountArg);
if (!code || !reason || (amount !== undefined && (!Number.isInteger(amount) || amount < 1))) {
  console.error('usage: npm run payments:refund -- <reservation-code> [amount] --reason "why"');
  process.exit(2);
}

const { env, modes } = loadConfig(process.env);
if (modes.payments === "emulator") {
  const base = env.APP_BASE_URL ?? "http://localhost:3000";
  const res = await fetch(`${base}/api/dev/payments/refunds`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, amount, reason }),
  }).catch(() => null);
  if (!res) {
    console.error(
      `The embedded default keeps the Stripe emulator inside the app: start it with \`npm run dev\` (${base}) and run this again.`,
    );
    process.exit(1);
  }
  const body = (await res.json()) as { refund?: unknown; detail?: string };
  if (!res.ok) {
    console.error(`refund failed (${res.status}): ${body.detail ?? JSON.stringify(body)}`);
    process.exit(1);
  }
  console.log(JSON.stringify(body.refund, null, 2));
} else {
  const handle = await getDatabaseForScript();
  try {
    const { refundReservation } = await import("../src/server/payments/refunds");
    const result = await refundReservation({ code, amount, reason, actor: { kind: "system", name: "cli" } });
    console.log(JSON.stringify(result.refund, null, 2));
  } finally {
    await handle.close();
  }
}
