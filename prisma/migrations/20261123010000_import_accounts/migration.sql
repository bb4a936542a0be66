-- AlterTable
ALTER TABLE "LoyaltyRecord" ADD COLUMN "enrolledAt" TEXT;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "identityKey" TEXT;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "mergedIntoRow" INTEGER;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "pointsSpent" INTEGER;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "rejectCodes" TEXT;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "sourceUpdatedAt" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ImportFile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "migrationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'balances',
    "fileName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "storagePath" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'uploaded',
    "encoding" TEXT,
    "delimiter" TEXT,
    "provider" TEXT,
    "formatJson" TEXT NOT NULL DEFAULT '{}',
    "mappingJson" TEXT NOT NULL DEFAULT '{}',
    "duplicatePolicy" TEXT NOT NULL DEFAULT 'sum',
    "rowsTotal" INTEGER NOT NULL DEFAULT 0,
    "rowsValid" INTEGER NOT NULL DEFAULT 0,
    "rowsRejected" INTEGER NOT NULL DEFAULT 0,
    "rowsMerged" INTEGER NOT NULL DEFAULT 0,
    "rowsIgnored" INTEGER NOT NULL DEFAULT 0,
    "pointsInFile" BIGINT NOT NULL DEFAULT 0,
    "pointsValid" BIGINT NOT NULL DEFAULT 0,
    "pointsRejected" BIGINT NOT NULL DEFAULT 0,
    "pointsMergedAway" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ImportFile_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ImportFile_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_ImportFile" ("createdAt", "delimiter", "encoding", "error", "fileName", "id", "kind", "migrationId", "pointsRejected", "pointsValid", "provider", "rowsIgnored", "rowsMerged", "rowsRejected", "rowsTotal", "rowsValid", "sha256", "shopId", "sizeBytes", "status", "storagePath", "updatedAt") SELECT "createdAt", "delimiter", "encoding", "error", "fileName", "id", "kind", "migrationId", "pointsRejected", "pointsValid", "provider", "rowsIgnored", "rowsMerged", "rowsRejected", "rowsTotal", "rowsValid", "sha256", "shopId", "sizeBytes", "status", "storagePath", "updatedAt" FROM "ImportFile";
DROP TABLE "ImportFile";
ALTER TABLE "new_ImportFile" RENAME TO "ImportFile";
CREATE INDEX "ImportFile_shopId_idx" ON "ImportFile"("shopId");
CREATE UNIQUE INDEX "ImportFile_migrationId_sha256_key" ON "ImportFile"("migrationId", "sha256");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "LoyaltyRecord_importFileId_identityKey_idx" ON "LoyaltyRecord"("importFileId", "identityKey");

-- CreateIndex
CREATE INDEX "LoyaltyRecord_importFileId_status_idx" ON "LoyaltyRecord"("importFileId", "status");

