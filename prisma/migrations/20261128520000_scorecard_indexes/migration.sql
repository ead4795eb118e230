-- The scorecard report reads each step's rows of the period in (party, agreement) order, with
-- everything it counts, from this index alone: no sort of the whole period, only one per group
-- by week, and each step's query reads only its own part of the index.
CREATE INDEX "scorecard_steps_report_idx" ON "scorecard_steps"("step", "party_id", "agreement", "brief_created_at", "state", "late", "business_ms");
