-- Notifications that reach people once: per-member channels and preferences, time zones and
-- calendars for quiet hours, signed webhooks that are disabled after repeated failures, the
-- outbox's hold and attempt bookkeeping, single-use action links, and installation secrets.

ALTER TABLE "members" ADD COLUMN "timezone" TEXT;
ALTER TABLE "members" ADD COLUMN "calendar_id" TEXT;
ALTER TABLE "members" ADD COLUMN "chat_webhook_url" TEXT;
ALTER TABLE "members" ADD COLUMN "webhook_secret" TEXT;
ALTER TABLE "members" ADD COLUMN "webhook_secret_created_at" TIMESTAMP(3);
ALTER TABLE "members" ADD COLUMN "webhook_disabled_at" TIMESTAMP(3);
ALTER TABLE "members" ADD COLUMN "webhook_failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "members" ADD COLUMN "notification_preferences" JSONB;

ALTER TABLE "parties" ADD COLUMN "calendar_id" TEXT;

ALTER TABLE "notifications" ADD COLUMN "event_seq" INTEGER;
ALTER TABLE "notifications" ADD COLUMN "hold_until" TIMESTAMP(3);
ALTER TABLE "notifications" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "notifications" ADD COLUMN "payload" JSONB;
CREATE INDEX "notifications_brief_id_created_at_idx" ON "notifications"("brief_id", "created_at");

CREATE TABLE "action_tokens" (
    "id" TEXT NOT NULL,
    "notification_id" TEXT NOT NULL,
    "brief_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "action_tokens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);
