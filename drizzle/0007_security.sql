CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "hold_client" text;--> statement-breakpoint
CREATE INDEX "rate_limits_expire_idx" ON "rate_limits" USING btree ("expire");--> statement-breakpoint
CREATE INDEX "reservations_hold_client_idx" ON "reservations" USING btree ("hold_client") WHERE "reservations"."status" = 'held';--> statement-breakpoint
CREATE INDEX "reservations_held_email_idx" ON "reservations" USING btree (lower("customer_email")) WHERE "reservations"."status" = 'held';--> statement-breakpoint
-- Rate-limit counters (RATE_LIMIT_STORE=postgres) are the app's own bookkeeping: the app's connection role (the
-- owner) counts, the service role's cleanup-rate-limits job purges. RLS on with no policy for anyone else: anon,
-- authenticated and the Data API see nothing.
ALTER TABLE "rate_limits" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON "rate_limits" FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "rate_limits" TO service_role;
