"use client";

import { RouteError } from "@/components/booking/route-error";

export default function ErrorBoundary(props: { error: unknown; retry: () => void }) {
  return <RouteError {...props} />;
}
