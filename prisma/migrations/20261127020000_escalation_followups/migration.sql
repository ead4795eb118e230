-- Escalations that say whether they follow up on an acknowledged one: a re-escalation, raised
-- when the step is still not done a full target after the acknowledgement, names the escalation
-- it follows, so a watcher who acknowledged that one sees why another appeared.

ALTER TABLE "escalations" ADD COLUMN "reescalation" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "escalations" ADD COLUMN "follows" TEXT;

-- Re-escalations recorded before these columns existed: their raised event says so.
UPDATE "escalations" AS e
SET "reescalation" = true, "follows" = ev."data"->>'follows'
FROM "brief_events" AS ev
WHERE ev."brief_id" = e."brief_id"
  AND ev."type" = 'escalation_raised'
  AND ev."data"->>'escalationId' = e."id"
  AND ev."data"->>'reescalation' = 'true';
