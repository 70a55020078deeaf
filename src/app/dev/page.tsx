import { notFound } from "next/navigation";
import { clock } from "@/lib/clock";
import { getModes } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Development surface index (mocks allowed only; proxy.ts answers 404 otherwise and so does this page). */
export default function DevIndex() {
  const modes = getModes();
  if (!modes.mocksAllowed) notFound();
  return (
    <main className="mx-auto max-w-2xl px-6 py-12">
      <h1 className="text-2xl font-bold">Development tools</h1>
      <p className="mt-2 text-sm text-stone-600">Visible only while ALLOW_DEV_MOCKS is on.</p>
      <dl className="mt-6 grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
        {Object.entries(modes).map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium">{k}</dt>
            <dd className="font-mono">{String(v)}</dd>
          </div>
        ))}
        <dt className="font-medium">clock.now()</dt>
        <dd className="font-mono">{clock.now().toISOString()}</dd>
      </dl>
      <ul className="mt-8 list-disc space-y-1 pl-6 text-sm">
        <li>
          <code>GET/POST /api/dev/clock</code> — read, set or advance the test clock
        </li>
        <li>
          <code>POST /api/dev/reset</code> — re-seed the embedded database
        </li>
        <li>
          <code>/dev/checkout/[sessionId]</code> — sandbox hosted checkout (a Checkout Session&apos;s url while payments
          use the Stripe emulator); <code>POST /api/dev/payments/checkout/[sessionId]</code> pays it with a test card
        </li>
        <li>
          <code>/dev/email/preview</code> — every email template (HTML and text, ja/en, subject, attachments) rendered
          for a recent reservation; <code>/dev/email/preview/confirmation/[reservation id or code]</code>
        </li>
        <li>
          <code>GET/POST /api/dev/payments/webhooks</code> — Stripe emulator webhook deliveries: list attempts, pause,
          resume, flush (fifo or reverse), redeliver an event as duplicates
        </li>
      </ul>
    </main>
  );
}
