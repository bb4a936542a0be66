import fs from "node:fs/promises";
import type { Prisma } from "@prisma/client";
import { normalizeEmail } from "~domain/identity";

type Tx = Prisma.TransactionClient;

export interface CustomerRef {
  shopId: string;
  /** Shopify gid or Nuvemshop id of the customer, when the request carries it. */
  platformCustomerId: string | null;
  email: string | null;
  /** Nuvemshop's LGPD requests also name the customer's CPF (11 digits) and phone (E.164). */
  cpf?: string | null;
  phoneE164?: string | null;
}

const REDACTED_RECORD = {
  email: null,
  emailNormalized: null,
  phone: null,
  phoneE164: null,
  cpf: null,
  firstName: null,
  lastName: null,
  birthday: null,
  platformCustomerRef: null,
  identityKey: null, // "email:<address>" and the like: personal data too
  rejectReason: null, // reasons quote the rejected values; the codes stay in rejectCodes
  reason: null, // a history row's reason text, as the old program wrote it
  rawJson: "{}",
} satisfies Prisma.LoyaltyRecordUpdateManyMutationInput;

function memberWhere(ref: CustomerRef): Prisma.MemberWhereInput {
  const email = normalizeEmail(ref.email);
  const or: Prisma.MemberWhereInput[] = [];
  if (ref.platformCustomerId) or.push({ platformCustomerId: ref.platformCustomerId });
  if (email) or.push({ emailNormalized: email });
  if (ref.cpf) or.push({ cpf: ref.cpf });
  if (ref.phoneE164) or.push({ phoneE164: ref.phoneE164 });
  return { shopId: ref.shopId, OR: or.length ? or : [{ id: "__none__" }] };
}

function recordWhere(ref: CustomerRef): Prisma.LoyaltyRecordWhereInput {
  const email = normalizeEmail(ref.email);
  const or: Prisma.LoyaltyRecordWhereInput[] = [];
  if (ref.platformCustomerId) or.push({ platformCustomerRef: ref.platformCustomerId });
  if (email) or.push({ emailNormalized: email }, { identityKey: `email:${email}` });
  if (ref.cpf) or.push({ cpf: ref.cpf });
  if (ref.phoneE164) or.push({ phoneE164: ref.phoneE164 });
  return { shopId: ref.shopId, OR: or.length ? or : [{ id: "__none__" }] };
}

/**
 * customers/redact: remove what identifies the customer and keep the anonymous ledger, so the
 * shop's point totals still reconcile. Ledger entries carry no personal data by design. The kept
 * uploads that hold the customer's rows, and refused ones (unread, they may), are returned, to be
 * deleted once the transaction commits:
 * their staged rows stay (redacted), and re-reading such a file with other settings asks for it
 * again (the upload step's "file-missing").
 */
export async function redactCustomer(tx: Tx, ref: CustomerRef, now = new Date()) {
  const holding = await tx.loyaltyRecord.findMany({ where: recordWhere(ref), select: { importFileId: true }, distinct: ["importFileId"] });
  // A refused upload kept for the merchant to fix has no staged rows to tell whether it holds the
  // customer: it may, so it goes too (the merchant uploads it again).
  const files = await tx.importFile.findMany({
    where: { shopId: ref.shopId, OR: [{ id: { in: holding.map((r) => r.importFileId) } }, { status: "failed" }] },
    select: { storagePath: true },
  });
  const members = await tx.member.updateMany({
    where: memberWhere(ref),
    data: { email: null, emailNormalized: null, phoneE164: null, cpf: null, firstName: null, lastName: null, redactedAt: now },
  });
  const records = await tx.loyaltyRecord.updateMany({ where: recordWhere(ref), data: REDACTED_RECORD });
  const customerOr: Prisma.PlatformCustomerWhereInput[] = [];
  if (ref.platformCustomerId) customerOr.push({ platformId: ref.platformCustomerId });
  const email = normalizeEmail(ref.email);
  if (email) customerOr.push({ emailNormalized: email });
  if (ref.cpf) customerOr.push({ cpf: ref.cpf });
  if (ref.phoneE164) customerOr.push({ phoneE164: ref.phoneE164 });
  const customers = customerOr.length
    ? await tx.platformCustomer.deleteMany({ where: { shopId: ref.shopId, OR: customerOr } })
    : { count: 0 };
  const dataRequests = await tx.dataRequest.deleteMany({
    where: { shopId: ref.shopId, OR: [{ platformCustomerId: ref.platformCustomerId ?? "__none__" }, { email: ref.email ?? "__none__" }] },
  });
  return {
    members: members.count,
    records: records.count,
    customers: customers.count,
    dataRequests: dataRequests.count,
    filesToDelete: [...new Set(files.map((f) => f.storagePath))],
  };
}

/**
 * shop/redact (48 hours after uninstall): every piece of personal data of the shop goes;
 * anonymous ledger totals stay. Returns the upload files to delete once the transaction commits.
 */
export async function redactShop(tx: Tx, shopId: string, now = new Date()) {
  await tx.member.updateMany({
    where: { shopId },
    data: { email: null, emailNormalized: null, phoneE164: null, cpf: null, firstName: null, lastName: null, redactedAt: now },
  });
  await tx.loyaltyRecord.updateMany({ where: { shopId }, data: REDACTED_RECORD });
  await tx.platformCustomer.deleteMany({ where: { shopId } });
  await tx.dataRequest.deleteMany({ where: { shopId } });
  const files = await tx.importFile.findMany({ where: { shopId }, select: { storagePath: true } });
  const shop = await tx.shop.update({ where: { id: shopId }, data: { redactedAt: now } });
  await tx.session.deleteMany({ where: { shop: shop.domain } });
  return { filesToDelete: files.map((f) => f.storagePath) };
}

export async function deleteFiles(paths: string[]) {
  await Promise.all(paths.map((p) => fs.rm(p, { force: true })));
}

/** customers/data_request: everything Carryover holds about the customer, stored for the merchant. */
export async function recordDataRequest(tx: Tx, ref: CustomerRef) {
  const members = await tx.member.findMany({
    where: memberWhere(ref),
    include: { ledgerEntries: { orderBy: { occurredAt: "asc" } } },
  });
  const records = await tx.loyaltyRecord.findMany({ where: recordWhere(ref), orderBy: { rowNumber: "asc" } });
  const exportJson = JSON.stringify({
    generatedAt: new Date().toISOString(),
    customer: { platformCustomerId: ref.platformCustomerId, email: ref.email },
    members: members.map((m) => ({
      email: m.email,
      phone: m.phoneE164,
      firstName: m.firstName,
      lastName: m.lastName,
      tier: m.tier,
      referralCode: m.referralCode,
      marketingConsent: m.marketingConsent,
      balance: m.balance,
      state: m.state,
      history: m.ledgerEntries.map((e) => ({ kind: e.kind, points: e.points, reason: e.reason, occurredAt: e.occurredAt.toISOString() })),
    })),
    importedRows: records.map((r) => ({ rowNumber: r.rowNumber, status: r.status, points: r.points, raw: JSON.parse(r.rawJson) as unknown })),
  });
  return tx.dataRequest.create({
    data: { shopId: ref.shopId, platformCustomerId: ref.platformCustomerId, email: ref.email, exportJson },
    select: { id: true },
  });
}
