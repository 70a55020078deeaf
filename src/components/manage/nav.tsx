"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/cn";

export type NavItem = { href: string; label: string };

/** The /manage section links; the current one is marked for screen readers and styled. */
export function ManageNav({ items, label }: { items: NavItem[]; label: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="flex gap-1 overflow-x-auto text-sm">
      {items.map((item) => {
        const current = item.href === "/manage" ? pathname === "/manage" : pathname.startsWith(item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={cn(
              "min-h-11 shrink-0 rounded-md px-3 py-2.5 font-medium whitespace-nowrap",
              current ? "bg-brand-50 text-brand-800 ring-1 ring-brand-200" : "text-stone-700 hover:bg-stone-100",
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
