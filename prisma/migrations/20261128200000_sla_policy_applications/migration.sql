-- Applying an SLA policy to its running briefs runs as a workflow that pages through them; its
-- progress and what it did to each brief are kept here, so the API answers without asking the
-- workflow.
CREATE TABLE "sla_policy_applications" (
    "id" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "policy" JSONB NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "actor_party_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "applied" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3),
    CONSTRAINT "sla_policy_applications_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "sla_policy_applications_policy_id_started_at_idx" ON "sla_policy_applications"("policy_id", "started_at");

CREATE TABLE "sla_policy_application_briefs" (
    "application_id" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "brief_created_at" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sla_policy_application_briefs_pkey" PRIMARY KEY ("application_id", "brief_id"),
    CONSTRAINT "sla_policy_application_briefs_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "sla_policy_applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "sla_policy_application_briefs_outcome_idx" ON "sla_policy_application_briefs"("application_id", "outcome", "brief_created_at", "brief_id");
