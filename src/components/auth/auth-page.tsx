import type { ReactNode } from "react";
import { PageShell } from "@/components/booking/page-shell";

/** The narrow page around the sign-in and sign-up forms: title, a line of lead text, then the form. */
export function AuthPage({ title, lead, children }: { title: string; lead: string; children: ReactNode }) {
  return (
    <PageShell>
      <div className="mx-auto max-w-md">
        <h1 className="text-2xl font-bold tracking-tight text-stone-900">{title}</h1>
        <p className="mt-2 text-sm text-stone-600">{lead}</p>
        <div className="mt-6 space-y-4">{children}</div>
      </div>
    </PageShell>
  );
}
