-- Name search (hand-written: Prisma cannot declare expression indexes). The admin looks members up by
-- a prefix of lower(firstName) / lower(lastName) as a range in byte order (COLLATE "C", whatever the
-- database's collation), so the index serves it.
CREATE INDEX "Member_shopId_firstName_lower_idx" ON "Member"("shopId", lower("firstName") COLLATE "C");
CREATE INDEX "Member_shopId_lastName_lower_idx" ON "Member"("shopId", lower("lastName") COLLATE "C");
