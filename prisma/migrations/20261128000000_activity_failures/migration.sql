-- Writes the database refused for good (a constraint the data can never meet): the activity that
-- tried gives up instead of retrying forever, and admins see here what was not written and why.
CREATE TABLE "activity_failures" (
    "id" TEXT NOT NULL,
    "activity" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "brief_id" TEXT,
    "sql_state" TEXT,
    "error" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "activity_failures_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "activity_failures_created_at_idx" ON "activity_failures"("created_at");
