-- DropIndex
DROP INDEX "LoyaltyRecord_importFileId_identityKey_idx";

-- DropIndex
DROP INDEX "LoyaltyRecord_migrationId_emailNormalized_idx";

