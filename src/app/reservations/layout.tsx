import type { Metadata } from "next";
import type { ReactNode } from "react";

/** Manage and payment links carry a secret token: keep them out of Referer headers and search engines. */
export const metadata: Metadata = {
  referrer: "no-referrer",
  robots: { index: false, follow: false },
};

export default function ReservationsLayout({ children }: { children: ReactNode }) {
  return children;
}
