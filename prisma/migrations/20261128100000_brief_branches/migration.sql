-- The branch of history the read model follows for a brief: set when an operator reset its
-- workflow (the reset run's id); events of a newer branch replace those the reset undid, and
-- writes of an abandoned branch are ignored.
ALTER TABLE "briefs" ADD COLUMN "branch" TEXT;
