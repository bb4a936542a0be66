-- DropIndex
DROP INDEX "Member_shopId_state_idx";

-- CreateIndex
CREATE INDEX "Member_shopId_id_idx" ON "Member"("shopId", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_phoneE164_idx" ON "Member"("shopId", "phoneE164");

-- CreateIndex
CREATE INDEX "Member_shopId_state_id_idx" ON "Member"("shopId", "state", "id");


-- Name search (hand-written: Prisma cannot declare expression indexes). The admin looks members up by
-- a prefix of lower(firstName) / lower(lastName) as an index range; SQLite's lower() folds A-Z only,
-- and domain/members/query.ts nameKeys() spells the prefix for both databases.
CREATE INDEX "Member_shopId_firstName_lower_idx" ON "Member"("shopId", lower("firstName"));
CREATE INDEX "Member_shopId_lastName_lower_idx" ON "Member"("shopId", lower("lastName"));
