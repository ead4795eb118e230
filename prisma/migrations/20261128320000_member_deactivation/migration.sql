-- A member who left (or must be locked out at once) is deactivated: their keys and links stop
-- working and they receive no notifications until reactivated.
ALTER TABLE "members" ADD COLUMN "deactivated_at" TIMESTAMP(3);
