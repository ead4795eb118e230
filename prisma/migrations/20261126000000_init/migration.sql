-- Handoff's first schema: the directory and the brief read model.

CREATE TYPE "PartyKind" AS ENUM ('ecommerce', 'agency', 'it', 'logistics', 'marketing', 'customer_service', 'supplier', 'marketplace');
CREATE TYPE "MemberRole" AS ENUM ('admin', 'manager', 'member', 'watcher');
CREATE TYPE "Locale" AS ENUM ('de', 'en');

CREATE TABLE "parties" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "PartyKind" NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "parties_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "members" (
    "id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "MemberRole" NOT NULL,
    "locale" "Locale" NOT NULL DEFAULT 'en',
    "is_lead" BOOLEAN NOT NULL DEFAULT false,
    "webhook_url" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "members_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "members_party_id_idx" ON "members"("party_id");

CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");
CREATE INDEX "api_keys_member_id_idx" ON "api_keys"("member_id");

CREATE TABLE "briefs" (
    "id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "manager_id" TEXT NOT NULL,
    "reviewer_id" TEXT,
    "priority" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "due_at" TIMESTAMP(3),
    "next_due_at" TIMESTAMP(3),
    "sla_breached" BOOLEAN NOT NULL DEFAULT false,
    "last_seq" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "briefs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "briefs_workflow_id_key" ON "briefs"("workflow_id");
CREATE INDEX "briefs_party_id_created_at_idx" ON "briefs"("party_id", "created_at");
CREATE INDEX "briefs_status_created_at_idx" ON "briefs"("status", "created_at");

CREATE TABLE "brief_events" (
    "id" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "actor_id" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,
    CONSTRAINT "brief_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "brief_events_brief_id_seq_key" ON "brief_events"("brief_id", "seq");

CREATE TABLE "deliveries" (
    "id" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "summary" TEXT NOT NULL,
    "links" JSONB NOT NULL,
    "submitted_by" TEXT NOT NULL,
    "submitted_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "deliveries_brief_id_version_key" ON "deliveries"("brief_id", "version");

CREATE TABLE "escalations" (
    "id" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "party_id" TEXT NOT NULL,
    "clock" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "raised_at" TIMESTAMP(3) NOT NULL,
    "acknowledged_at" TIMESTAMP(3),
    "acknowledged_by" TEXT,
    CONSTRAINT "escalations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "escalations_state_raised_at_idx" ON "escalations"("state", "raised_at");
CREATE INDEX "escalations_brief_id_idx" ON "escalations"("brief_id");

CREATE TABLE "notifications" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "recipient_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "transport" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "notifications_idempotency_key_key" ON "notifications"("idempotency_key");
CREATE INDEX "notifications_brief_id_idx" ON "notifications"("brief_id");

ALTER TABLE "members" ADD CONSTRAINT "members_party_id_fkey" FOREIGN KEY ("party_id") REFERENCES "parties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "briefs" ADD CONSTRAINT "briefs_party_id_fkey" FOREIGN KEY ("party_id") REFERENCES "parties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "brief_events" ADD CONSTRAINT "brief_events_brief_id_fkey" FOREIGN KEY ("brief_id") REFERENCES "briefs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_brief_id_fkey" FOREIGN KEY ("brief_id") REFERENCES "briefs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_brief_id_fkey" FOREIGN KEY ("brief_id") REFERENCES "briefs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
