-- A rotated key remembers when and into which key it was rotated: it cannot be rotated again, and
-- a member's rotations of the last 24 hours are counted against HANDOFF_API_KEY_ROTATIONS_PER_DAY.
ALTER TABLE "api_keys" ADD COLUMN "rotated_at" TIMESTAMP(3);
ALTER TABLE "api_keys" ADD COLUMN "rotated_to_id" TEXT;
CREATE INDEX "api_keys_member_id_rotated_at_idx" ON "api_keys"("member_id", "rotated_at");
