import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { buttonClasses } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { clock } from "@/lib/clock";
import { getModes } from "@/lib/env";
import { formatMoney } from "@/lib/money";
import { getCheckoutSessionView } from "@/server/emulators/stripe/emulator";
import { CheckoutForm } from "./checkout-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sandbox checkout | slotbook", robots: { index: false, follow: false } };

type Props = { params: Promise<{ sessionId: string }> };

/**
 * The sandbox stand-in for Stripe's hosted Checkout page: a Checkout Session's `url` points here while payments use
 * the in-process emulator. It reads the emulator directly, as Stripe's page reads Stripe, and pays through
 * /api/dev/payments/checkout/[sessionId]. English only, like the rest of /dev.
 */
export default async function SandboxCheckoutPage({ params }: Props) {
  const modes = getModes();
  if (!modes.mocksAllowed || modes.payments !== "emulator") notFound();
  const { sessionId } = await params;
  const session = getCheckoutSessionView(sessionId);
  if (!session) notFound();

  const money = (amount: number) => formatMoney({ amount, currency: session.currency.toUpperCase() }, "en");
  const total = money(session.amountTotal);

  return (
    <main lang="en" className="mx-auto grid w-full max-w-4xl gap-8 px-4 py-8 sm:px-6 md:grid-cols-2 md:py-14">
      <section aria-labelledby="summary-heading">
        <div className="flex flex-wrap items-center gap-2">
          <p className="text-sm font-semibold text-stone-700">slotbook (test mode)</p>
          <Badge className="bg-amber-100 text-amber-900">TEST MODE</Badge>
        </div>
        <h1 id="summary-heading" className="mt-6 text-sm font-medium text-stone-600">
          Pay slotbook
        </h1>
        <p className="mt-1 text-4xl font-bold tracking-tight text-stone-900 tabular-nums" data-testid="sandbox-amount">
          {total}
        </p>
        <ul className="mt-8 divide-y divide-stone-200 border-y border-stone-200 text-sm">
          {session.lineItems.map((item, i) => (
            <li key={i} className="flex items-start justify-between gap-4 py-3">
              <div>
                <p className="font-medium text-stone-900">{item.name}</p>
                <p className="text-stone-600">
                  Qty {item.quantity} × {money(item.unitAmount)}
                </p>
              </div>
              <p className="font-medium tabular-nums">{money(item.unitAmount * item.quantity)}</p>
            </li>
          ))}
        </ul>
        <div className="mt-3 flex justify-between text-sm font-semibold">
          <span>Total due</span>
          <span className="tabular-nums">{total}</span>
        </div>
        <p className="mt-8 text-xs text-stone-500">
          Sandbox checkout served by the in-process Stripe emulator. No real card is charged; only Stripe&apos;s test
          card numbers are accepted.
        </p>
      </section>

      <Card className="p-5 sm:p-6">
        {session.status === "open" ? (
          <CheckoutForm
            sessionId={session.id}
            amountLabel={total}
            customerEmail={session.customerEmail}
            expiresAt={session.expiresAt}
            serverNow={clock.now().toISOString()}
            cancelUrl={session.cancelUrl}
            initialError={session.lastPaymentError?.message ?? null}
          />
        ) : session.status === "complete" ? (
          <div role="status">
            <h2 className="text-lg font-semibold text-emerald-800">Payment complete</h2>
            <p className="mt-2 text-sm text-stone-700">This checkout session has already been paid.</p>
            {session.successUrl ? (
              <a href={session.successUrl} className={buttonClasses("primary", "mt-4")}>
                Return to slotbook
              </a>
            ) : null}
          </div>
        ) : (
          <div role="status">
            <h2 className="text-lg font-semibold text-amber-900">This checkout session has expired</h2>
            <p className="mt-2 text-sm text-stone-700">The time to pay has run out; no payment was taken.</p>
            {session.cancelUrl ? (
              <a href={session.cancelUrl} className={buttonClasses("secondary", "mt-4")}>
                ← Back to slotbook
              </a>
            ) : null}
          </div>
        )}
      </Card>
    </main>
  );
}
