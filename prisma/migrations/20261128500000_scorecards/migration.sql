-- Scorecards: per-brief facts and per-step business times derived from each brief's timeline,
-- written with the read model and aggregated by the reports (GET /v1/reports/scorecards).
CREATE TABLE "scorecard_briefs" (
    "brief_id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "agreement" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "rounds" INTEGER NOT NULL DEFAULT 0,
    "clarifications" INTEGER NOT NULL DEFAULT 0,
    "held_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "facts_version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scorecard_briefs_pkey" PRIMARY KEY ("brief_id")
);
CREATE INDEX "scorecard_briefs_created_at_party_id_idx" ON "scorecard_briefs"("created_at", "party_id");
CREATE INDEX "scorecard_briefs_party_id_created_at_idx" ON "scorecard_briefs"("party_id", "created_at");

CREATE TABLE "scorecard_steps" (
    "brief_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "party_id" TEXT NOT NULL,
    "agreement" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "brief_created_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "state" TEXT NOT NULL,
    "business_ms" DOUBLE PRECISION,
    "late" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "scorecard_steps_pkey" PRIMARY KEY ("brief_id", "step", "round")
);
CREATE INDEX "scorecard_steps_brief_created_at_party_id_step_idx" ON "scorecard_steps"("brief_created_at", "party_id", "step");
