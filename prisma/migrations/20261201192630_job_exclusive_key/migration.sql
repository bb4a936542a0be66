-- AlterTable
ALTER TABLE "Job" ADD COLUMN "exclusiveKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Job_exclusiveKey_key" ON "Job"("exclusiveKey");

