-- Limits every API replica shares, timed by the database's clock. Rate-limit counters: one row
-- per key (an address, an API key, a member, a link token) holding its current window (from its
-- first request, for the limit's window length); a request counts with one upsert that starts a
-- new window once the old one has ended, and ended windows are deleted now and then.
CREATE TABLE "rate_limit_counters" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "rate_limit_counters_expires_at_idx" ON "rate_limit_counters"("expires_at");

-- Open escalation streams: a lease per stream, refreshed by its heartbeat and deleted when it
-- closes; a lease past expires_at (its process died) no longer counts against the member's cap.
CREATE TABLE "stream_leases" (
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "stream_leases_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "stream_leases_member_id_expires_at_idx" ON "stream_leases"("member_id", "expires_at");
