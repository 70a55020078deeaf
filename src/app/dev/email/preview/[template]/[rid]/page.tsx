import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getModes } from "@/lib/env";
import { isLookupKey } from "@/lib/text";
import { renderEmail, renderSmsText } from "@/server/notifications/templates";
import type { Locale } from "@/server/notifications/types";
import { kindFromSlug, loadPreviewInput, templateSlugs } from "@/server/notifications/preview";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Email preview | slotbook", robots: { index: false, follow: false } };

type Props = {
  params: Promise<{ template: string; rid: string }>;
  searchParams: Promise<{ locale?: string | string[] }>;
};

const locales: Locale[] = ["ja", "en"];

/**
 * One template rendered for one reservation, exactly as the dispatcher would send it (same renderEmail, links from
 * APP_BASE_URL), with sample payload values. The HTML is shown in a sandboxed iframe (no scripts, no same origin).
 */
export default async function EmailPreviewPage({ params, searchParams }: Props) {
  if (!getModes().mocksAllowed) notFound();
  const { template, rid } = await params;
  const { locale: localeParam } = await searchParams;
  const kind = kindFromSlug(template);
  if (!kind) notFound();
  const requested = locales.find((l) => l === localeParam);
  const id = decodeSegment(rid);
  if (!isLookupKey(id, 64)) notFound();
  const source = await loadPreviewInput(kind, id, requested);
  if (!source) notFound();

  const { input } = source;
  const email = await renderEmail(input);
  const sms = renderSmsText(input);
  const here = (slug: string, locale: Locale = input.locale) =>
    `/dev/email/preview/${slug}/${encodeURIComponent(rid)}?locale=${locale}`;

  return (
    <main lang="en" className="mx-auto max-w-[1400px] px-4 py-8 sm:px-6">
      <p className="text-sm">
        <Link href="/dev/email/preview" className="text-stone-600 underline">
          Email previews
        </Link>
      </p>
      <h1 className="mt-2 text-xl font-bold">
        {template} <span className="font-mono text-base font-normal text-stone-600">({kind})</span>
      </h1>

      <nav aria-label="Templates" className="mt-3 flex flex-wrap gap-x-3 gap-y-1 text-sm">
        {Object.entries(templateSlugs).map(([slug, k]) => (
          <Link
            key={slug}
            href={here(slug)}
            aria-current={k === kind ? "page" : undefined}
            className={k === kind ? "font-semibold" : "text-brand-700 underline"}
          >
            {slug}
          </Link>
        ))}
      </nav>
      <nav aria-label="Language" className="mt-2 flex gap-3 text-sm">
        {locales.map((l) => (
          <Link
            key={l}
            href={here(template, l)}
            aria-current={l === input.locale ? "page" : undefined}
            className={l === input.locale ? "font-semibold" : "text-brand-700 underline"}
          >
            {l === "ja" ? "日本語 (ja)" : "English (en)"}
          </Link>
        ))}
        <span className="text-stone-500">reservation locale: {source.reservationLocale}</span>
      </nav>

      <dl className="mt-5 grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">To</dt>
        <dd>{source.recipient}</dd>
        <dt className="font-medium">Subject</dt>
        <dd data-testid="email-subject">{email.subject}</dd>
        <dt className="font-medium">Attachments</dt>
        <dd>
          {email.attachments.length === 0
            ? "none"
            : email.attachments.map((a) => (
                <details key={a.filename}>
                  <summary className="cursor-pointer">
                    <span className="font-mono">{a.filename}</span>{" "}
                    <span className="text-stone-500">({a.contentType})</span>
                  </summary>
                  <pre className="mt-1 overflow-x-auto rounded bg-stone-100 p-2 text-xs">{a.content}</pre>
                </details>
              ))}
        </dd>
        <dt className="font-medium">SMS</dt>
        <dd>
          {sms} <span className="text-stone-500">({sms.length} chars)</span>
        </dd>
      </dl>

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="html-heading">
          <h2 id="html-heading" className="text-sm font-semibold text-stone-700">
            HTML
          </h2>
          <iframe
            title={`HTML part of the ${template} email`}
            sandbox=""
            srcDoc={email.html}
            className="mt-2 h-[900px] w-full rounded border border-stone-300 bg-white"
          />
        </section>
        <section aria-labelledby="text-heading">
          <h2 id="text-heading" className="text-sm font-semibold text-stone-700">
            Plain text
          </h2>
          <pre
            data-testid="email-text"
            className="mt-2 h-[900px] overflow-auto rounded border border-stone-300 bg-white p-4 text-sm whitespace-pre-wrap"
          >
            {email.text}
          </pre>
        </section>
      </div>
    </main>
  );
}

/** The id as typed in the link (links encode it once more); null when that encoding is broken. */
function decodeSegment(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
