-- Program context: the program a brief belongs to, on the brief, its escalations, their feed
-- entries and its scorecard row, so that the escalation list, the live feed, the metrics and the
-- scorecards can be read for one program. Briefs started by a program before carry it in their
-- recorded state: the columns are filled from there.
ALTER TABLE "briefs" ADD COLUMN "program_id" TEXT;
UPDATE "briefs" SET "program_id" = "snapshot"->'brief'->'program'->>'id' WHERE "snapshot"->'brief'->'program'->>'id' IS NOT NULL;
CREATE INDEX "briefs_program_id_idx" ON "briefs"("program_id");

ALTER TABLE "escalations" ADD COLUMN "program_id" TEXT;
UPDATE "escalations" e SET "program_id" = b."program_id" FROM "briefs" b WHERE b."id" = e."brief_id" AND b."program_id" IS NOT NULL;
CREATE INDEX "escalations_program_id_raised_at_idx" ON "escalations"("program_id", "raised_at");

ALTER TABLE "escalation_feed" ADD COLUMN "program_id" TEXT;
UPDATE "escalation_feed" f SET "program_id" = b."program_id" FROM "briefs" b WHERE b."id" = f."brief_id" AND b."program_id" IS NOT NULL;

ALTER TABLE "scorecard_briefs" ADD COLUMN "program_id" TEXT;
UPDATE "scorecard_briefs" s SET "program_id" = b."program_id" FROM "briefs" b WHERE b."id" = s."brief_id" AND b."program_id" IS NOT NULL;
CREATE INDEX "scorecard_briefs_program_id_idx" ON "scorecard_briefs"("program_id");
