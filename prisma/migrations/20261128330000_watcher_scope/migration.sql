-- A watcher's scope: `all` sees every party (the e-commerce team's watchers, an IT team lead),
-- `party` its own party only. Existing watchers of the e-commerce party keep seeing every party;
-- everyone else starts at their own.
CREATE TYPE "MemberScope" AS ENUM ('all', 'party');
ALTER TABLE "members" ADD COLUMN "scope" "MemberScope" NOT NULL DEFAULT 'party';
UPDATE "members" SET "scope" = 'all'
WHERE "role" = 'watcher' AND "party_id" IN (SELECT "id" FROM "parties" WHERE "kind" = 'ecommerce');
