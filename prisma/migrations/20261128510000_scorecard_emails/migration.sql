-- The monthly scorecard email: members opt in (members.scorecard_email), and the email goes
-- through the notification outbox like every other message, as a row about no brief (event
-- 'scorecard', brief_id null) keyed by month and recipient.

ALTER TABLE "members" ADD COLUMN "scorecard_email" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "notifications" ALTER COLUMN "brief_id" DROP NOT NULL;
