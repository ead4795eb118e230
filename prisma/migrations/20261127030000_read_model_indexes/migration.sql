-- Indexes for the read model's busiest reads.
-- A manager's list of a party's briefs in one status, newest first (GET /v1/briefs?partyId=&status=).
CREATE INDEX "briefs_party_id_status_created_at_idx" ON "briefs"("party_id", "status", "created_at");
-- The escalation stream's replay from an instant (GET /v1/escalations/stream?since=).
CREATE INDEX "escalation_feed_at_idx" ON "escalation_feed"("at");
