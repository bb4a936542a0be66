import type { Migration } from "@prisma/client";
import prisma from "../db.server";

export interface NewMigration {
  shopId: string;
  name: string;
  oldPlatform?: string;
  oldProvider?: string;
  cutoverAt?: Date;
  ordersMigrated?: boolean;
  customersMigrated?: boolean;
}

export async function createMigration(input: NewMigration): Promise<Migration> {
  return prisma.migration.create({ data: { ...input, state: "draft" } });
}

/** A migration of this shop, or null: another shop's id is never found (isolation). */
export async function findMigration(shopId: string, migrationId: string): Promise<Migration | null> {
  return prisma.migration.findFirst({ where: { id: migrationId, shopId } });
}
