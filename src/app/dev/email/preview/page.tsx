import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getEnv, getModes } from "@/lib/env";
import { formatDateTime } from "@/lib/format-datetime";
import { recentReservations, templateSlugs } from "@/server/notifications/preview";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Email previews | slotbook", robots: { index: false, follow: false } };

/** Index of the email previews: every template, for each of the 10 most recent reservations. Mocks allowed only. */
export default async function EmailPreviewIndex() {
  if (!getModes().mocksAllowed) notFound();
  const recent = await recentReservations(10);
  const timeZone = getEnv().BUSINESS_TIMEZONE;
  const slugs = Object.entries(templateSlugs);

  return (
    <main lang="en" className="mx-auto max-w-5xl px-6 py-12">
      <p className="text-sm">
        <Link href="/dev" className="text-stone-600 underline">
          Development tools
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-bold">Email previews</h1>
      <p className="mt-2 text-sm text-stone-600">
        Each template rendered for a reservation from the database, HTML and plain text side by side. The URL is{" "}
        <code>/dev/email/preview/[template]/[reservation id or code]?locale=ja|en</code>; templates:{" "}
        {slugs.map(([slug, kind], i) => (
          <span key={slug}>
            {i > 0 ? ", " : ""}
            <code title={kind}>{slug}</code>
          </span>
        ))}
        .
      </p>

      <h2 className="mt-8 text-lg font-semibold">Most recent reservations</h2>
      {recent.length === 0 ? (
        <p className="mt-3 text-sm text-stone-600">
          No reservations yet. Book one on the site (or re-seed with <code>POST /api/dev/reset</code>), then come back.
        </p>
      ) : (
        <ul className="mt-3 divide-y divide-stone-200 border-y border-stone-200">
          {recent.map((r) => (
            <li key={r.id} className="py-3 text-sm">
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <span className="font-mono font-semibold">{r.code}</span>
                <span className="rounded bg-stone-100 px-1.5 py-0.5 text-xs">{r.status}</span>
                <span>{r.serviceName}</span>
                <span className="text-stone-600">{formatDateTime(r.startsAt, "en", timeZone)}</span>
                <span className="text-stone-600">
                  {r.customerName} · {r.locale}
                </span>
              </div>
              <div className="mt-2 flex flex-wrap gap-x-3 gap-y-1">
                {slugs.map(([slug]) => (
                  <Link key={slug} href={`/dev/email/preview/${slug}/${r.id}`} className="text-brand-700 underline">
                    {slug}
                  </Link>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
