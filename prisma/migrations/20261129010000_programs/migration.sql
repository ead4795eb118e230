-- Programs of dependent briefs: each program's workflow records its state here (the briefs' keys,
-- dependencies, states and ids); the API reads the briefs themselves from the briefs table.
CREATE TABLE "programs" (
    "id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "target_date" TIMESTAMP(3),
    "template" TEXT,
    "party_ids" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "last_seq" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "programs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "programs_workflow_id_key" ON "programs"("workflow_id");
CREATE INDEX "programs_created_at_idx" ON "programs"("created_at");
CREATE INDEX "programs_party_ids_idx" ON "programs" USING GIN ("party_ids");
