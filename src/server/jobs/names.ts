/** Every background job by name (registry.ts defines them; /api/health lists their last successful runs). */
export const jobNames = [
  "cleanup-idempotency-keys",
  "cleanup-rate-limits",
  "prune-metrics",
  "expire-holds",
  "dispatch-notifications",
  "send-reminders",
  "reconcile-payments",
] as const;

export type JobName = (typeof jobNames)[number];
