-- Review plans: who owes a decision in a brief's open review stage (the "to review" list reads it),
-- and members' out-of-office periods with the delegate who takes their reviews meanwhile.
ALTER TABLE "briefs" ADD COLUMN "review_pending" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
CREATE INDEX "briefs_review_pending_idx" ON "briefs" USING GIN ("review_pending");

CREATE TABLE "out_of_office" (
    "member_id" TEXT NOT NULL,
    "from" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "delegate_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "out_of_office_pkey" PRIMARY KEY ("member_id"),
    CONSTRAINT "out_of_office_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "out_of_office_period" CHECK ("until" > "from")
);
CREATE INDEX "out_of_office_delegate_id_idx" ON "out_of_office"("delegate_id");
