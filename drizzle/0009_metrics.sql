CREATE TABLE "metric_minutes" (
	"minute" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"errors" bigint DEFAULT 0 NOT NULL,
	"duration_ms_sum" double precision DEFAULT 0 NOT NULL,
	"buckets" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	CONSTRAINT "metric_minutes_minute_kind_name_pk" PRIMARY KEY("minute","kind","name")
);
--> statement-breakpoint
-- metric_minutes: the built-in dashboard's per-minute aggregates. Staff and admins read them (the page reads as the
-- signed-in caller); only the service role writes (each instance's flush adds to the minute's row) and prunes (the
-- prune-metrics job). Anonymous visitors and customers see nothing.
ALTER TABLE "metric_minutes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON "metric_minutes" FROM anon, authenticated;
--> statement-breakpoint
GRANT SELECT ON "metric_minutes" TO authenticated;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "metric_minutes" TO service_role;
--> statement-breakpoint
CREATE POLICY "metric_minutes: staff read" ON "metric_minutes" FOR SELECT TO authenticated
  USING ((SELECT public.is_staff()));
