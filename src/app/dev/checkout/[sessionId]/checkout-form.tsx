"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type ComponentProps, type FormEvent } from "react";
import type { SandboxPaymentResponse } from "@/app/api/dev/payments/payments.schema";
import { inputClasses } from "@/components/booking/form-field";
import { Button } from "@/components/ui/button";
import { formatCountdown } from "@/lib/format-datetime";
import { TEST_CARDS } from "@/lib/stripe-test-cards";

type Props = {
  sessionId: string;
  amountLabel: string;
  customerEmail: string | null;
  /** The session's expires_at (ISO). */
  expiresAt: string;
  /** clock.now() on the server at render: the countdown runs on the app's (possibly test) clock, not the browser's. */
  serverNow: string;
  cancelUrl: string | null;
  /** The last decline on this session, if the page was reloaded after one. */
  initialError: string | null;
};

const EXPIRY = /^(0[1-9]|1[0-2])\s*\/\s*\d{2}$/;
const CVC = /^\d{3,4}$/;

/** Card form of the sandbox checkout: fill in a Stripe test card, pay, and go back to the app like Checkout does. */
export function CheckoutForm({
  sessionId,
  amountLabel,
  customerEmail,
  expiresAt,
  serverNow,
  cancelUrl,
  initialError,
}: Props) {
  const router = useRouter();
  const [card, setCard] = useState("");
  const [expiry, setExpiry] = useState("");
  const [cvc, setCvc] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [fieldErrors, setFieldErrors] = useState<{ expiry?: string; cvc?: string }>({});
  const [busy, setBusy] = useState(false);
  const remainingMs = useCountdown(expiresAt, serverNow);
  const timeUp = remainingMs <= 0;
  const cardRef = useRef<HTMLInputElement>(null);

  // At zero the server expires the session (and tells the app); re-render to show it.
  useEffect(() => {
    if (timeUp) router.refresh();
  }, [timeUp, router]);

  function fillTestCard(number: string) {
    setCard(number.replace(/(\d{4})(?=\d)/g, "$1 "));
    if (!expiry) setExpiry("12 / 34");
    if (!cvc) setCvc("123");
    setError(null);
    cardRef.current?.focus();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || timeUp) return;
    const problems = {
      ...(EXPIRY.test(expiry.trim()) ? {} : { expiry: "Enter the expiry as MM / YY." }),
      ...(CVC.test(cvc.trim()) ? {} : { cvc: "Enter the 3 or 4 digit security code." }),
    };
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) return;

    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/dev/payments/checkout/${encodeURIComponent(sessionId)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ card }),
      });
      if (response.ok) {
        const result = (await response.json()) as SandboxPaymentResponse;
        if (result.outcome === "succeeded") {
          window.location.assign(result.successUrl);
          return;
        }
        setError(result.error.message);
        cardRef.current?.focus();
      } else {
        const problem = (await response.json().catch(() => null)) as { detail?: string } | null;
        setError(problem?.detail ?? `The payment could not be made (HTTP ${response.status}).`);
        // Completed or expired meanwhile: show the session's final state.
        if (response.status === 409) router.refresh();
      }
    } catch {
      setError("Could not reach the server. Check the connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div className="flex items-center justify-between gap-4">
        <h2 className="text-lg font-semibold">Pay with card</h2>
        <p className="text-sm text-stone-600">
          <span id="countdown-label">Time left </span>
          <span
            role="timer"
            aria-labelledby="countdown-label"
            className="font-mono font-semibold tabular-nums"
            data-testid="sandbox-countdown"
          >
            {formatCountdown(remainingMs)}
          </span>
        </p>
      </div>

      {customerEmail ? (
        <dl className="mt-4 text-sm">
          <dt className="font-medium text-stone-600">Email</dt>
          <dd className="mt-1 text-stone-900">{customerEmail}</dd>
        </dl>
      ) : null}

      <fieldset className="mt-5">
        <legend className="text-sm font-semibold text-stone-900">Test cards</legend>
        <ul className="mt-2 grid gap-2 text-sm">
          {TEST_CARDS.map((testCard) => (
            <li key={testCard.number}>
              <button
                type="button"
                onClick={() => fillTestCard(testCard.number)}
                className={
                  "flex w-full min-h-11 items-center justify-between gap-3 rounded-lg border border-stone-200 px-3 py-2 " +
                  "text-left hover:bg-stone-50"
                }
              >
                <span className="font-mono">{testCard.number.replace(/(\d{4})(?=\d)/g, "$1 ")}</span>
                <span className="text-stone-600">{testCard.label}</span>
              </button>
            </li>
          ))}
        </ul>
      </fieldset>

      <div className="mt-5 grid gap-4">
        <div>
          <label htmlFor="sandbox-card-number" className="text-sm font-semibold text-stone-900">
            Card number
          </label>
          <input
            ref={cardRef}
            id="sandbox-card-number"
            className={`${inputClasses} mt-2 font-mono`}
            inputMode="numeric"
            autoComplete="cc-number"
            placeholder="4242 4242 4242 4242"
            value={card}
            onChange={(e) => {
              setCard(e.target.value);
              setError(null);
            }}
            aria-describedby={error ? "sandbox-error" : undefined}
            aria-invalid={error ? true : undefined}
            required
            data-testid="sandbox-card"
          />
        </div>
        <div className="grid grid-cols-2 gap-4">
          <CardDetail
            id="sandbox-expiry"
            label="Expiry (MM / YY)"
            error={fieldErrors.expiry}
            autoComplete="cc-exp"
            placeholder="12 / 34"
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
          />
          <CardDetail
            id="sandbox-cvc"
            label="CVC"
            error={fieldErrors.cvc}
            autoComplete="cc-csc"
            placeholder="123"
            value={cvc}
            onChange={(e) => setCvc(e.target.value)}
          />
        </div>
      </div>

      {error ? (
        <p
          id="sandbox-error"
          role="alert"
          className="mt-4 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900"
          data-testid="sandbox-error"
        >
          {error}
        </p>
      ) : null}
      {timeUp ? (
        <p role="status" className="mt-4 text-sm font-medium text-amber-900">
          Time is up: this checkout session has expired.
        </p>
      ) : null}

      <Button type="submit" className="mt-5 w-full" disabled={busy || timeUp} data-testid="sandbox-pay">
        {busy ? "Processing…" : `Pay ${amountLabel}`}
      </Button>
      {cancelUrl ? (
        <a
          href={cancelUrl}
          className="mt-4 inline-flex min-h-11 items-center text-sm font-medium text-brand-700 hover:underline"
        >
          ← Back
        </a>
      ) : null}
    </form>
  );
}

/** Milliseconds to expiresAt on the server's clock: the browser only measures the time elapsed since render. */
function useCountdown(expiresAt: string, serverNow: string): number {
  const expiresMs = Date.parse(expiresAt);
  const serverNowMs = Date.parse(serverNow);
  const [remainingMs, setRemainingMs] = useState(expiresMs - serverNowMs);
  useEffect(() => {
    const offset = serverNowMs - Date.now();
    const tick = () => setRemainingMs(expiresMs - (Date.now() + offset));
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [expiresMs, serverNowMs]);
  return remainingMs;
}

/** Expiry or CVC: a labelled numeric input with its own error line below it. */
function CardDetail({
  id,
  label,
  error,
  ...input
}: { id: string; label: string; error?: string } & ComponentProps<"input">) {
  const errorId = `${id}-error`;
  return (
    <div>
      <label htmlFor={id} className="text-sm font-semibold text-stone-900">
        {label}
      </label>
      <input
        id={id}
        className={`${inputClasses} mt-2 font-mono`}
        inputMode="numeric"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        required
        {...input}
      />
      {error ? (
        <p id={errorId} className="mt-1.5 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
