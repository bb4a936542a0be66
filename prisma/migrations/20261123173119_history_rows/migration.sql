-- AlterTable
ALTER TABLE "LoyaltyRecord" ADD COLUMN "occurredAt" TEXT;
ALTER TABLE "LoyaltyRecord" ADD COLUMN "reason" TEXT;

