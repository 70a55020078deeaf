import type { Metadata } from "next";
import { NextIntlClientProvider } from "next-intl";
import { headers } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { browserErrorTracking } from "@/server/observability/sentry";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("meta");
  return { title: t("title"), description: t("description") };
}

/**
 * Shared zod schemas validate forms in the browser. zod 4 probes for `new Function` the first time it builds an object
 * schema, and under the CSP (no 'unsafe-eval') the caught probe is still reported as a violation; `jitless` skips the
 * probe. It must be set before any bundle evaluates a schema: an inline script in <head> runs while the document is
 * parsed, before Next.js boots the bundles (its bootstrap script closes <body>).
 */
const ZOD_WITHOUT_EVAL =
  "globalThis.__zod_globalConfig=Object.assign(globalThis.__zod_globalConfig||{},{jitless:true})";

/**
 * Every page renders per request: the proxy's Content-Security-Policy carries a fresh nonce (also as `x-nonce`), and
 * Next.js can only write it onto the scripts of a page rendered after that header exists (a prerendered page's
 * scripts would be blocked). Reading the request headers here makes that explicit for every page.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const requestHeaders = await headers();
  const nonce = requestHeaders.get("x-nonce") ?? undefined;
  const errorTracking = browserErrorTracking(requestHeaders.get("x-request-id") ?? undefined);
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: ZOD_WITHOUT_EVAL }} />
        {errorTracking ? <meta name="slotbook-error-tracking" content={JSON.stringify(errorTracking)} /> : null}
      </head>
      <body className="min-h-dvh">
        <NextIntlClientProvider>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
