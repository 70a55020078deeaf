"use client";

import { useEffect, useRef } from "react";

/**
 * Focus for a panel that opens in place: when it opens, focus moves to the element on `inside` (its first control);
 * when it closes again, focus goes back to the `opener` button. Nothing moves on the first render.
 */
export function useDisclosureFocus<Inside extends HTMLElement>(open: boolean) {
  const inside = useRef<Inside>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) inside.current?.focus();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return { inside, opener };
}
