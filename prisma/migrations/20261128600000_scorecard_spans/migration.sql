-- Scorecard spans: the scorecard rows of the briefs created in one week or one day of a time
-- zone, aggregated per (party, agreement, priority, step) when a report first needs them, so
-- that a report reads a few thousand cells instead of every step of its period. Each step cell
-- keeps the business times of its done steps, sorted, so medians and percentiles stay exact.
-- Any change to scorecard_briefs or scorecard_steps marks the spans holding the changed briefs'
-- creation instants dirty (statement triggers below); a report refreshes dirty spans before it
-- reads them (services/scorecards/spans.ts).
CREATE TABLE "scorecard_spans" (
    "zone" TEXT NOT NULL,
    -- week (an ISO week, Monday to Sunday) or day.
    "span" TEXT NOT NULL,
    -- The span's first day in the zone.
    "start" DATE NOT NULL,
    "start_at" TIMESTAMPTZ(3) NOT NULL,
    "end_at" TIMESTAMPTZ(3) NOT NULL,
    "dirty" BOOLEAN NOT NULL DEFAULT true,
    "refreshed_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scorecard_spans_pkey" PRIMARY KEY ("zone", "span", "start")
);
CREATE INDEX "scorecard_spans_end_at_idx" ON "scorecard_spans"("end_at");

CREATE TABLE "scorecard_span_briefs" (
    "zone" TEXT NOT NULL,
    "span" TEXT NOT NULL,
    "start" DATE NOT NULL,
    "party_id" TEXT NOT NULL,
    "agreement" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "received" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,
    "approved" INTEGER NOT NULL,
    "declined" INTEGER NOT NULL,
    "cancelled" INTEGER NOT NULL,
    "clarifications" INTEGER NOT NULL,
    "held_briefs" INTEGER NOT NULL,
    "held_ms" DOUBLE PRECISION NOT NULL,
    -- Approved briefs per number of rounds: {"1": 12, "2": 3}.
    "approved_rounds" JSONB NOT NULL,
    CONSTRAINT "scorecard_span_briefs_pkey" PRIMARY KEY ("zone", "span", "start", "party_id", "agreement", "priority"),
    CONSTRAINT "scorecard_span_briefs_span_fkey" FOREIGN KEY ("zone", "span", "start") REFERENCES "scorecard_spans"("zone", "span", "start") ON DELETE CASCADE
);

CREATE TABLE "scorecard_span_steps" (
    "zone" TEXT NOT NULL,
    "span" TEXT NOT NULL,
    "start" DATE NOT NULL,
    "party_id" TEXT NOT NULL,
    "agreement" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "counted" INTEGER NOT NULL,
    "on_time" INTEGER NOT NULL,
    -- The business times (ms) of the done steps, ascending, as big-endian float8s (float8send).
    "done_ms" BYTEA NOT NULL,
    CONSTRAINT "scorecard_span_steps_pkey" PRIMARY KEY ("zone", "span", "start", "party_id", "agreement", "priority", "step"),
    CONSTRAINT "scorecard_span_steps_span_fkey" FOREIGN KEY ("zone", "span", "start") REFERENCES "scorecard_spans"("zone", "span", "start") ON DELETE CASCADE
);

-- Marks dirty every span overlapping [lo, hi]. The shared advisory lock lets a refresh wait for
-- the writers in flight (it takes the lock exclusively) before it marks a span clean.
CREATE FUNCTION scorecard_spans_dirty(lo TIMESTAMPTZ, hi TIMESTAMPTZ) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF lo IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(7245117);
  UPDATE scorecard_spans SET dirty = true WHERE start_at <= hi AND end_at > lo AND NOT dirty;
END
$$;

CREATE FUNCTION scorecard_spans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lo TIMESTAMPTZ; hi TIMESTAMPTZ;
BEGIN
  IF TG_TABLE_NAME = 'scorecard_briefs' THEN
    SELECT min(created_at), max(created_at) INTO lo, hi FROM new_rows;
  ELSE
    SELECT min(brief_created_at), max(brief_created_at) INTO lo, hi FROM new_rows;
  END IF;
  PERFORM scorecard_spans_dirty(lo, hi);
  RETURN NULL;
END
$$;

CREATE FUNCTION scorecard_spans_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lo TIMESTAMPTZ; hi TIMESTAMPTZ;
BEGIN
  IF TG_TABLE_NAME = 'scorecard_briefs' THEN
    SELECT min(created_at), max(created_at) INTO lo, hi FROM old_rows;
  ELSE
    SELECT min(brief_created_at), max(brief_created_at) INTO lo, hi FROM old_rows;
  END IF;
  PERFORM scorecard_spans_dirty(lo, hi);
  RETURN NULL;
END
$$;

CREATE FUNCTION scorecard_spans_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lo TIMESTAMPTZ; hi TIMESTAMPTZ;
BEGIN
  IF TG_TABLE_NAME = 'scorecard_briefs' THEN
    SELECT min(c), max(c) INTO lo, hi FROM (SELECT created_at AS c FROM new_rows UNION ALL SELECT created_at FROM old_rows) changed;
  ELSE
    SELECT min(c), max(c) INTO lo, hi FROM (SELECT brief_created_at AS c FROM new_rows UNION ALL SELECT brief_created_at FROM old_rows) changed;
  END IF;
  PERFORM scorecard_spans_dirty(lo, hi);
  RETURN NULL;
END
$$;

CREATE TRIGGER scorecard_briefs_inserted AFTER INSERT ON scorecard_briefs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_inserted();
CREATE TRIGGER scorecard_briefs_updated AFTER UPDATE ON scorecard_briefs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_updated();
CREATE TRIGGER scorecard_briefs_deleted AFTER DELETE ON scorecard_briefs REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_deleted();
CREATE TRIGGER scorecard_steps_inserted AFTER INSERT ON scorecard_steps REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_inserted();
CREATE TRIGGER scorecard_steps_updated AFTER UPDATE ON scorecard_steps REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_updated();
CREATE TRIGGER scorecard_steps_deleted AFTER DELETE ON scorecard_steps REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION scorecard_spans_deleted();
