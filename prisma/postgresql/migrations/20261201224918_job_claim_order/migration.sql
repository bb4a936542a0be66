-- DropIndex
DROP INDEX "Job_state_runAfter_idx";

-- CreateIndex
CREATE INDEX "Job_state_runAfter_createdAt_idx" ON "Job"("state", "runAfter", "createdAt");

