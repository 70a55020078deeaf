"use client";

import * as Sentry from "@sentry/nextjs";
import { useEffect } from "react";
import "./globals.css";

/**
 * The last boundary: an error in the root layout itself. It replaces the whole document, so it renders its own html
 * and body, in both languages (the locale is unknown here). The error goes to the browser SDK, a no-op while error
 * tracking is off (src/instrumentation-client.ts).
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    Sentry.captureException(error);
  }, [error]);
  return (
    <html lang="ja">
      <body className="min-h-dvh">
        <main className="mx-auto max-w-xl p-6">
          <h1 className="text-xl font-semibold">エラーが発生しました / Something went wrong</h1>
          <p className="mt-2">時間をおいてもう一度お試しください。 / Please try again in a moment.</p>
          <button type="button" className="mt-4 rounded border px-4 py-2" onClick={() => retry()}>
            再試行 / Try again
          </button>
        </main>
      </body>
    </html>
  );
}
