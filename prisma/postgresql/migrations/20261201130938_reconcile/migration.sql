-- AlterTable
ALTER TABLE "LoyaltyRecord" ADD COLUMN     "couponCode" TEXT,
ADD COLUMN     "couponExpiresAt" TEXT,
ADD COLUMN     "couponValue" TEXT;

-- CreateTable
CREATE TABLE "SyncCursor" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "updatedSince" TIMESTAMP(3),
    "lastCompletedAt" TIMESTAMP(3),
    "itemsSynced" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncCursor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reconciliation" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "migrationId" TEXT NOT NULL,
    "inputsHash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "reportJson" TEXT NOT NULL DEFAULT '{}',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Reconciliation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecordMatch" (
    "id" TEXT NOT NULL,
    "reconciliationId" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "class" TEXT NOT NULL,
    "platformCustomerId" TEXT,
    "matchedBy" TEXT,
    "reason" TEXT,
    "candidatesJson" TEXT,
    "points" INTEGER NOT NULL,

    CONSTRAINT "RecordMatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewDecision" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "migrationId" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "platformCustomerId" TEXT,
    "note" TEXT,
    "decidedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SyncCursor_shopId_resource_key" ON "SyncCursor"("shopId", "resource");

-- CreateIndex
CREATE INDEX "Reconciliation_migrationId_createdAt_idx" ON "Reconciliation"("migrationId", "createdAt");

-- CreateIndex
CREATE INDEX "RecordMatch_reconciliationId_class_idx" ON "RecordMatch"("reconciliationId", "class");

-- CreateIndex
CREATE UNIQUE INDEX "RecordMatch_reconciliationId_recordId_key" ON "RecordMatch"("reconciliationId", "recordId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewDecision_migrationId_recordId_key" ON "ReviewDecision"("migrationId", "recordId");

-- AddForeignKey
ALTER TABLE "SyncCursor" ADD CONSTRAINT "SyncCursor_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reconciliation" ADD CONSTRAINT "Reconciliation_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordMatch" ADD CONSTRAINT "RecordMatch_reconciliationId_fkey" FOREIGN KEY ("reconciliationId") REFERENCES "Reconciliation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewDecision" ADD CONSTRAINT "ReviewDecision_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

