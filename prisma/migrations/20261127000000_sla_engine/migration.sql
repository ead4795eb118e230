-- The SLA engine: business calendars, SLA policies, the policy a brief runs under, escalation
-- records that say which agreement they fall under, and the escalation feed (raised and
-- acknowledged, in commit order) that the live stream reads.

CREATE TABLE "calendars" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "working_hours" JSONB NOT NULL,
    "holidays" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "calendars_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "calendars_created_at_id_idx" ON "calendars"("created_at", "id");

CREATE TABLE "sla_policies" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "calendar_id" TEXT,
    "targets" JSONB NOT NULL,
    "warn_at" DOUBLE PRECISION NOT NULL DEFAULT 0.75,
    "escalation" JSONB NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sla_policies_calendar_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "calendars"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "sla_policies_created_at_id_idx" ON "sla_policies"("created_at", "id");
CREATE INDEX "sla_policies_calendar_id_idx" ON "sla_policies"("calendar_id");

ALTER TABLE "parties" ADD COLUMN "default_sla_policy_id" TEXT;

ALTER TABLE "briefs" ADD COLUMN "sla_policy_id" TEXT;
ALTER TABLE "briefs" ADD COLUMN "agreement" TEXT;
CREATE INDEX "briefs_sla_policy_id_status_idx" ON "briefs"("sla_policy_id", "status");

ALTER TABLE "escalations" ADD COLUMN "agreement" TEXT NOT NULL DEFAULT 'external';
ALTER TABLE "escalations" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "escalations" ADD COLUMN "repeat" INTEGER NOT NULL DEFAULT 0;
CREATE INDEX "escalations_party_id_raised_at_idx" ON "escalations"("party_id", "raised_at");

CREATE TABLE "escalation_feed" (
    "id" BIGSERIAL NOT NULL,
    "escalation_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "brief_id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "clock" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    CONSTRAINT "escalation_feed_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "escalation_feed_escalation_id_kind_key" ON "escalation_feed"("escalation_id", "kind");
