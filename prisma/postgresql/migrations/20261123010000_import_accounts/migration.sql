-- AlterTable
ALTER TABLE "ImportFile" ADD COLUMN     "duplicatePolicy" TEXT NOT NULL DEFAULT 'sum',
ADD COLUMN     "formatJson" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "mappingJson" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "pointsInFile" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "pointsMergedAway" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "LoyaltyRecord" ADD COLUMN     "enrolledAt" TEXT,
ADD COLUMN     "identityKey" TEXT,
ADD COLUMN     "mergedIntoRow" INTEGER,
ADD COLUMN     "pointsSpent" INTEGER,
ADD COLUMN     "rejectCodes" TEXT,
ADD COLUMN     "sourceUpdatedAt" TEXT;

-- CreateIndex
CREATE INDEX "LoyaltyRecord_importFileId_identityKey_idx" ON "LoyaltyRecord"("importFileId", "identityKey");

-- CreateIndex
CREATE INDEX "LoyaltyRecord_importFileId_status_idx" ON "LoyaltyRecord"("importFileId", "status");

