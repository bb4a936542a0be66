-- AlterTable
ALTER TABLE "LoyaltyRecord" ADD COLUMN     "occurredAt" TEXT,
ADD COLUMN     "reason" TEXT;

