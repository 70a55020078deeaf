"use client";

import { useEffect, useRef, type ReactNode } from "react";

/**
 * The slot panel's heading, focused when a slot is opened (keyed by slot id by the caller), so keyboard and
 * screen-reader users land on the panel instead of staying on the calendar link they used. A refresh after an action
 * keeps the same instance and does not move focus.
 */
export function PanelHeading({ id, children }: { id: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h2 ref={ref} id={id} tabIndex={-1} className="text-lg font-bold text-stone-900 outline-none">
      {children}
    </h2>
  );
}
