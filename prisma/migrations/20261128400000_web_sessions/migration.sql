-- Signing in to the web app. A web session is held by a browser in the handoff_session cookie; the
-- table keeps only the SHA-256 hash of the cookie's token, the session's CSRF token, when it was
-- last used (for the idle limit) and, for a session opened with an API key, that key (revoking or
-- expiring the key ends the session). A sign-in link is emailed to a member and works once: its
-- row keeps the token's hash, its expiry and when it was used.
CREATE TABLE "web_sessions" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "api_key_id" TEXT,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),
    "end_reason" TEXT,
    CONSTRAINT "web_sessions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "web_sessions_token_hash_key" ON "web_sessions"("token_hash");
CREATE INDEX "web_sessions_member_id_idx" ON "web_sessions"("member_id");
CREATE INDEX "web_sessions_api_key_id_idx" ON "web_sessions"("api_key_id");
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "sign_in_links" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "requested_from" TEXT,
    CONSTRAINT "sign_in_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sign_in_links_token_hash_key" ON "sign_in_links"("token_hash");
CREATE INDEX "sign_in_links_member_id_idx" ON "sign_in_links"("member_id");
ALTER TABLE "sign_in_links" ADD CONSTRAINT "sign_in_links_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
