import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { runJobHere } from "~/cli/cli-support";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { decideRecord } from "~/services/reconcile/review.server";
import { REVIEW_PAGE_SIZE, ReviewIntent, ReviewQuery, reasonView, refreshPreview, reviewFormFrom, reviewStepView, submitReview, type ReviewStepView } from "~/services/admin/review-step.server";
import { runSyncIntent, syncStepView } from "~/services/admin/sync-step.server";
import { checkPreview } from "~domain/reconcile/report";
import { uniqueShop } from "../support/webhooks";

// The admin's review screen (services behind app/routes/app.migrations.$id.review.tsx and the Sync
// step's retry buttons), against the real database: the conflicts of a real reconciliation, a page
// at a time and by reason; each decision and its withdrawal through the CLI's services; the preview
// built again by its job, with figures that move exactly as the decisions say.

const VARIANTS = 30;
const gid = (n: number) => `gid://shopify/Customer/${n}`;

/** A migration with one staged balances file whose preview holds every kind of conflict, and more than a page of them. */
async function scenario() {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("admin-review"), country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "review", state: "rules_set", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
  type Row = { email?: string; phoneE164?: string; cpf?: string; firstName?: string; points: number };
  const rows: Row[] = [
    { email: "ana@example.com", firstName: "Ana", points: 100 }, // row 2: matched
    { email: "bruno+old@gmail.com", firstName: "Bruno", points: 200 }, // row 3: e-mail variant of customer 2
    { email: "carla@example.com", points: 300 }, // row 4: pending
    { email: "dup1@example.com", phoneE164: "+5511999990000", points: 40 }, // row 5: phone shared by customers 3 and 4
    { firstName: "Sem contato", points: 50 }, // row 6: nothing to match on
    { email: "eva1@example.com", phoneE164: "+5511988887777", points: 60 }, // row 7: with row 8, both on customer 5's phone
    { email: "eva2@example.com", phoneE164: "+5511988887777", points: 70 }, // row 8
    ...Array.from({ length: VARIANTS }, (_, i) => ({ email: `cliente${i}+loja@gmail.com`, points: 10 + i })), // rows 9…38: variants
  ];
  const points = rows.reduce((s, r) => s + r.points, 0);
  const file = await prisma.importFile.create({
    data: {
      shopId: shop.id, migrationId: migration.id, fileName: "export.csv", sha256: `sha-${shop.id}`, sizeBytes: 10n, storagePath: "/dev/null", status: "staged",
      rowsTotal: rows.length, rowsValid: rows.length, pointsInFile: BigInt(points), pointsValid: BigInt(points),
    },
  });
  const id = (row: number) => `${file.id}.${String(row).padStart(10, "0")}`;
  await prisma.loyaltyRecord.createMany({
    data: rows.map((r, i) => ({
      id: id(i + 2), shopId: shop.id, migrationId: migration.id, importFileId: file.id, rowNumber: i + 2, status: "valid",
      email: r.email ?? null, emailNormalized: r.email ?? null, phoneE164: r.phoneE164 ?? null, cpf: r.cpf ?? null, firstName: r.firstName ?? null, points: r.points, rawJson: "{}",
    })),
  });
  const customer = (n: number, email: string | null, phoneE164: string | null = null, firstName: string | null = null) => ({
    id: `${shop.id}:${gid(n)}`, shopId: shop.id, platformId: gid(n), email, emailNormalized: email, phoneE164, phone: phoneE164, firstName,
  });
  await prisma.platformCustomer.createMany({
    data: [
      customer(1, "ana@example.com"),
      customer(2, "bruno@gmail.com", null, "Bruno"),
      customer(3, null, "+5511999990000", "Dora"),
      customer(4, null, "+5511999990000", "Davi"),
      customer(5, null, "+5511988887777", "Eva"),
      ...Array.from({ length: VARIANTS }, (_, i) => customer(100 + i, `cliente${i}@gmail.com`)),
    ],
  });
  const first = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  if (first.outcome !== "reconciled") throw new Error(first.outcome);
  return { shop, migration, id, points, report: first.report };
}

const query = (over: Partial<ReviewQuery> = {}): ReviewQuery => ({ tab: "open", page: 1, ...over });
const rowOf = (view: ReviewStepView | null, row: number) => view?.rows.find((r) => r.rowNumber === row);

/** The preview built again through the screen's button, its job run here as the worker would. */
async function updatePreview(shopId: string, migrationId: string) {
  const started = await submitReview(shopId, migrationId, { intent: "preview" });
  if (started.outcome !== "preview-started") throw new Error(JSON.stringify(started));
  const job = await runJobHere(started.jobId, "migration.reconcile", { label: "reconcile", unit: "records", quiet: true });
  expect(job.error).toBeNull();
  expect(job.state).toBe("succeeded");
  const view = await reviewStepView(shopId, migrationId, query());
  return view!;
}

describe("the review screen's list", () => {
  it("pages through the conflicts, filters them by reason, and says why each customer is a candidate", async () => {
    const { shop, migration, id, report } = await scenario();
    expect(report.members).toMatchObject({ matched: 1, pending: 1, conflict: 5 + VARIANTS });

    const first = await reviewStepView(shop.id, migration.id, query());
    expect(first).toMatchObject({ open: true, total: 5 + VARIANTS, pageSize: REVIEW_PAGE_SIZE, working: false });
    expect(first?.summary).toEqual({ conflicts: 5 + VARIANTS, undecided: 5 + VARIANTS, decided: 0, changes: 0 });
    expect(first?.kinds).toEqual({ shared_key: 1, several_records: 2, email_variant: 1 + VARIANTS, nothing_to_match_on: 1, decision_unusable: 0, already_migrated: 0 });
    // Rows 2 (matched) and 4 (pending) are not conflicts; the queue runs in the file's order.
    const conflictRows = [3, 5, 6, 7, 8, ...Array.from({ length: VARIANTS }, (_, i) => 9 + i)];
    expect(first?.rows.map((r) => r.rowNumber)).toEqual(conflictRows.slice(0, REVIEW_PAGE_SIZE));
    const bruno = rowOf(first, 3)!;
    expect(bruno).toMatchObject({ recordId: id(3), name: "Bruno", email: "bruno+old@gmail.com", points: 200, fileName: "export.csv", reason: { kind: "email_variant" }, decision: null });
    expect(bruno.candidates).toEqual([{ platformId: gid(2), key: "suggested_email", name: "Bruno", email: "bruno@gmail.com", phone: null }]);
    expect(rowOf(first, 5)).toMatchObject({ reason: { kind: "shared_key", count: 2, key: "phone" }, candidates: [{ platformId: gid(3), key: "phone", name: "Dora" }, { platformId: gid(4), key: "phone", name: "Davi" }] });
    expect(rowOf(first, 6)).toMatchObject({ name: "Sem contato", reason: { kind: "nothing_to_match_on" }, candidates: [] });
    expect(rowOf(first, 7)).toMatchObject({ reason: { kind: "several_records", count: 2, others: [{ file: "export.csv", row: 8 }], more: 0 }, candidates: [{ platformId: gid(5), key: "phone" }] });

    const second = await reviewStepView(shop.id, migration.id, query({ page: 2 }));
    expect(second?.rows.map((r) => r.rowNumber)).toEqual(conflictRows.slice(REVIEW_PAGE_SIZE));
    // A page past the end (a stale link, or the last page emptied by decisions) shows the last page.
    const past = await reviewStepView(shop.id, migration.id, query({ page: 40 }));
    expect(past?.query.page).toBe(2);
    expect(past?.rows.map((r) => r.recordId)).toEqual(second?.rows.map((r) => r.recordId));

    const shared = await reviewStepView(shop.id, migration.id, query({ kind: "shared_key" }));
    expect(shared?.rows.map((r) => r.rowNumber)).toEqual([5]);
    expect(shared?.total).toBe(1);
    const several = await reviewStepView(shop.id, migration.id, query({ kind: "several_records" }));
    expect(several?.rows.map((r) => r.rowNumber)).toEqual([7, 8]);
    const none = await reviewStepView(shop.id, migration.id, query({ kind: "decision_unusable" }));
    expect(none).toMatchObject({ total: 0, rows: [] });
    expect((await reviewStepView(shop.id, migration.id, query({ tab: "decided" })))?.rows).toEqual([]);
  });

  it("reads a query it does not know as the first page of the queue", () => {
    const read = (qs: string) => ReviewQuery.parse(Object.fromEntries(new URLSearchParams(qs)));
    expect(read("tab=decided&kind=shared_key&page=3")).toEqual({ tab: "decided", kind: "shared_key", page: 3 });
    expect(read("tab=nope&kind=<script>&page=-4")).toEqual({ tab: "open", kind: undefined, page: 1 });
    expect(reasonView("20000 records match this customer (also f.csv row 3, f.csv row 4, f.csv row 5 and 19996 more)")).toEqual({
      kind: "several_records", count: 20000, others: [{ file: "f.csv", row: 3 }, { file: "f.csv", row: 4 }, { file: "f.csv", row: 5 }], more: 19996,
    });
    expect(reasonView("3 customers of the new store share this CPF")).toEqual({ kind: "shared_key", count: 3, key: "cpf" });
    expect(reasonView("something new")).toEqual({ kind: "other", text: "something new" });
  });
});

describe("decisions from the review screen", () => {
  it("records each kind of decision, shows what the preview does not follow yet, and the rebuilt preview moves exactly by them", async () => {
    const { shop, migration, id, points, report: before } = await scenario();
    const decide = (form: Record<string, string | string[]>) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      const parsed = ReviewIntent.safeParse(reviewFormFrom(body));
      if (!parsed.success) throw new Error(parsed.error.message);
      return submitReview(shop.id, migration.id, parsed.data);
    };
    expect(await decide({ intent: "decide", recordId: id(3), decision: "match", platformCustomerId: gid(2) })).toEqual({ outcome: "recorded", count: 1, refused: 0, replaced: false });
    expect(await decide({ intent: "decide", recordId: id(5), decision: "match", platformCustomerId: gid(4) })).toMatchObject({ outcome: "recorded" });
    expect(await decide({ intent: "decide", recordId: id(6), decision: "reject", note: "loja física, sem cadastro" })).toMatchObject({ outcome: "recorded" });
    // Bulk: the first two variants (10 and 11 points) kept pending (and one id that is not a record of this migration).
    expect(await decide({ intent: "bulk", decision: "pending", recordIds: [id(9), id(10), "not-a-record"] })).toEqual({ outcome: "recorded", count: 2, refused: 1, replaced: false });
    // Changing one's mind replaces the decision: row 5 goes to Dora, not Davi.
    expect(await decide({ intent: "decide", recordId: id(5), decision: "match", platformCustomerId: gid(3) })).toMatchObject({ outcome: "recorded", replaced: true });

    const decided = await reviewStepView(shop.id, migration.id, query());
    expect(decided?.summary).toEqual({ conflicts: 5 + VARIANTS, undecided: VARIANTS, decided: 5, changes: 5 });
    expect(rowOf(decided, 3)?.decision).toMatchObject({ decision: "match", customer: { platformId: gid(2), name: "Bruno", email: "bruno@gmail.com" }, inPreview: false });
    expect(rowOf(decided, 6)?.decision).toMatchObject({ decision: "reject", note: "loja física, sem cadastro", inPreview: false });
    const decidedTab = await reviewStepView(shop.id, migration.id, query({ tab: "decided" }));
    expect(decidedTab?.total).toBe(5);
    expect(decidedTab?.rows.map((r) => r.rowNumber).sort((a, b) => a - b)).toEqual([3, 5, 6, 9, 10]);
    expect(decidedTab?.rows[0]?.rowNumber).toBe(5); // newest first
    expect(rowOf(decidedTab, 5)).toMatchObject({ reason: { kind: "shared_key" }, decision: { customer: { platformId: gid(3), name: "Dora" } } });

    const after = await updatePreview(shop.id, migration.id);
    const r = after.preview!.report;
    expect(r.members).toEqual({ ...before.members, matched: before.members.matched + 2, pending: before.members.pending + 2, conflict: before.members.conflict - 5, rejectedInReview: 1 });
    expect(r.points.matched).toBe(before.points.matched + 200 + 40);
    expect(r.points.pending).toBe(before.points.pending + 10 + 11);
    expect(r.points.conflict).toBe(before.points.conflict - 200 - 40 - 50 - 10 - 11);
    expect(r.points.rejected).toEqual({ ...before.points.rejected, total: before.points.rejected.total + 50, inReview: 50 });
    expect(checkPreview(r)).toBeNull();
    expect(r.points.inFile).toBe(points);
    expect(r.points.matched + r.points.pending + r.points.conflict + r.points.rejected.total).toBe(points);
    expect(after.summary).toEqual({ conflicts: VARIANTS, undecided: VARIANTS, decided: 5, changes: 0 });
    expect(rowOf(after, 3)).toBeUndefined(); // decided, out of the conflicts
    const decidedAfter = await reviewStepView(shop.id, migration.id, query({ tab: "decided" }));
    expect(decidedAfter?.rows.every((row) => row.decision?.inPreview)).toBe(true);
    // The Sync step says the same: nothing left that the preview does not show.
    expect((await syncStepView(shop.id, migration.id))?.review).toEqual(after.summary);
  });

  it("withdraws a decision: the preview is stale until rebuilt, then the record is back in the queue", async () => {
    const { shop, migration, id } = await scenario();
    await submitReview(shop.id, migration.id, { intent: "decide", recordId: id(6), decision: "reject", note: "teste" });
    const rejected = await updatePreview(shop.id, migration.id);
    expect(rejected.preview?.report.members.rejectedInReview).toBe(1);
    expect(rejected.summary?.changes).toBe(0);

    expect(await submitReview(shop.id, migration.id, { intent: "withdraw", recordId: id(6) })).toEqual({ outcome: "withdrawn" });
    expect(await submitReview(shop.id, migration.id, { intent: "withdraw", recordId: id(6) })).toEqual({ outcome: "no-decision" });
    const stale = await reviewStepView(shop.id, migration.id, query({ tab: "decided" }));
    expect(stale?.summary).toMatchObject({ decided: 0, changes: 1 });
    expect(stale?.rows).toEqual([]);

    const back = await updatePreview(shop.id, migration.id);
    expect(back.preview?.report.members.rejectedInReview).toBe(0);
    expect(back.summary).toMatchObject({ conflicts: 5 + VARIANTS, changes: 0 });
    expect(rowOf(back, 6)).toMatchObject({ reason: { kind: "nothing_to_match_on" }, decision: null });
  });

  it("keeps a match to a customer gone from the store as a conflict saying so, and counts it as followed", async () => {
    const { shop, migration, id } = await scenario();
    await submitReview(shop.id, migration.id, { intent: "decide", recordId: id(7), decision: "match", platformCustomerId: gid(5) });
    await prisma.platformCustomer.delete({ where: { shopId_platformId: { shopId: shop.id, platformId: gid(5) } } });
    const view = await updatePreview(shop.id, migration.id);
    expect(view.kinds.decision_unusable).toBe(1);
    expect(view.summary?.changes).toBe(0);
    const gone = await reviewStepView(shop.id, migration.id, query({ kind: "decision_unusable" }));
    expect(gone?.rows).toMatchObject([{ rowNumber: 7, reason: { kind: "decision_unusable", gone: true }, decision: { decision: "match", inPreview: true } }]);
  });

  it("refuses what the form cannot mean: a match without its customer, a rejection without a reason", () => {
    expect(ReviewIntent.safeParse({ intent: "decide", recordId: "r", decision: "match" }).success).toBe(false);
    expect(ReviewIntent.safeParse({ intent: "decide", recordId: "r", decision: "reject", note: "   " }).success).toBe(false);
    expect(ReviewIntent.safeParse({ intent: "bulk", recordIds: ["r"], decision: "reject" }).success).toBe(false);
    expect(ReviewIntent.safeParse({ intent: "bulk", recordIds: ["r"], decision: "match" }).success).toBe(false);
    expect(ReviewIntent.safeParse({ intent: "bulk", recordIds: [], decision: "pending" }).success).toBe(false);
    expect(ReviewIntent.safeParse({ intent: "decide", recordId: "r", decision: "pending" }).success).toBe(true);
  });
});

describe("what the review screen refuses", () => {
  it("answers not found for another shop's migration, and never touches another shop's record", async () => {
    const a = await scenario();
    const b = await scenario();
    expect(await reviewStepView(b.shop.id, a.migration.id, query())).toBeNull();
    expect(await submitReview(b.shop.id, a.migration.id, { intent: "decide", recordId: a.id(3), decision: "pending" })).toEqual({ outcome: "not-found" });
    expect(await submitReview(b.shop.id, a.migration.id, { intent: "preview" })).toEqual({ outcome: "not-found" });
    // Shop B, its own migration, naming shop A's record or customer.
    expect(await submitReview(b.shop.id, b.migration.id, { intent: "decide", recordId: a.id(3), decision: "pending" })).toEqual({ outcome: "record-not-found" });
    expect(await submitReview(b.shop.id, b.migration.id, { intent: "bulk", recordIds: [a.id(3), a.id(5)], decision: "pending" })).toEqual({ outcome: "record-not-found" });
    await decideRecord({ shopId: a.shop.id, migrationId: a.migration.id, recordId: a.id(3), decision: "pending" });
    expect(await submitReview(b.shop.id, b.migration.id, { intent: "withdraw", recordId: a.id(3) })).toEqual({ outcome: "no-decision" });
    expect(await prisma.reviewDecision.count({ where: { migrationId: a.migration.id } })).toBe(1);
    expect(await prisma.reviewDecision.count({ where: { migrationId: b.migration.id } })).toBe(0);
    // A customer of shop A is not one of shop B's store.
    await prisma.platformCustomer.create({ data: { id: `${a.shop.id}:only-a`, shopId: a.shop.id, platformId: "gid://shopify/Customer/999", email: "only-a@example.com" } });
    expect(await submitReview(b.shop.id, b.migration.id, { intent: "decide", recordId: b.id(3), decision: "match", platformCustomerId: "gid://shopify/Customer/999" })).toEqual({ outcome: "customer-not-found" });
  });

  it("closes decisions, withdrawals and the preview once the migration has written points", async () => {
    const { shop, migration, id } = await scenario();
    await submitReview(shop.id, migration.id, { intent: "decide", recordId: id(3), decision: "match", platformCustomerId: gid(2) });
    await prisma.migration.update({ where: { id: migration.id }, data: { state: "applied" } });
    expect(await submitReview(shop.id, migration.id, { intent: "decide", recordId: id(5), decision: "pending" })).toEqual({ outcome: "closed", state: "applied" });
    expect(await submitReview(shop.id, migration.id, { intent: "bulk", recordIds: [id(9), id(10)], decision: "pending" })).toEqual({ outcome: "closed", state: "applied" });
    expect(await submitReview(shop.id, migration.id, { intent: "withdraw", recordId: id(3) })).toEqual({ outcome: "closed", state: "applied" });
    expect(await submitReview(shop.id, migration.id, { intent: "preview" })).toEqual({ outcome: "preview-refused", reason: "not-open", state: "applied" });
    expect(await prisma.reviewDecision.findMany({ where: { migrationId: migration.id }, select: { recordId: true } })).toEqual([{ recordId: id(3) }]);
    expect((await reviewStepView(shop.id, migration.id, query()))?.open).toBe(false);
    expect(await prisma.job.count({ where: { shopId: shop.id, kind: "migration.reconcile" } })).toBe(0);
  });
});

describe("retrying the Sync step's jobs", () => {
  it("queues a failed dry run again once, and a failed pull again", async () => {
    const { shop, migration } = await scenario();
    await prisma.migration.update({ where: { id: migration.id }, data: { state: "syncing" } });
    // The pull failed (the worker's part): the step offers it again, and the retry is a new job.
    const failedSync = await prisma.job.create({
      data: { kind: "platform.sync", shopId: shop.id, payloadJson: "{}", dedupeKey: `sync:${shop.id}:failed`, state: "failed", error: "HTTP 503 from the store", finishedAt: new Date() },
    });
    expect((await syncStepView(shop.id, migration.id))?.sync?.progress).toMatchObject({ state: "failed", error: "HTTP 503 from the store" });
    const retried = await runSyncIntent(shop.id, migration.id, "sync");
    expect(retried.outcome).toBe("started");
    expect(retried).not.toEqual({ outcome: "started", jobId: failedSync.id });
    // While that pull is queued, the preview cannot be rebuilt (it would read half a snapshot).
    expect(await refreshPreview(shop.id, migration.id)).toEqual({ outcome: "sync-running" });
    expect((await syncStepView(shop.id, migration.id))?.canRefresh).toBe(false);
    await prisma.job.updateMany({ where: { shopId: shop.id, kind: "platform.sync", state: "queued" }, data: { state: "succeeded", finishedAt: new Date() } });

    // The dry run failed: "Try again" queues a new one, once however often it is pressed.
    const failedPreview = await prisma.job.create({
      data: { kind: "migration.reconcile", shopId: shop.id, payloadJson: JSON.stringify({ shopId: shop.id, migrationId: migration.id }), dedupeKey: `reconcile:${migration.id}:failed-run`, state: "failed", error: "database is locked", finishedAt: new Date() },
    });
    const step = await syncStepView(shop.id, migration.id);
    expect(step).toMatchObject({ reconcile: { id: failedPreview.id, progress: { state: "failed", error: "database is locked" } }, canRefresh: true, working: false });
    const again = await runSyncIntent(shop.id, migration.id, "refresh");
    const twice = await runSyncIntent(shop.id, migration.id, "refresh");
    expect(again.outcome).toBe("started");
    expect(twice).toEqual(again);
    expect(again).not.toEqual({ outcome: "started", jobId: failedPreview.id });
    expect((await syncStepView(shop.id, migration.id))?.working).toBe(true);
    const job = await runJobHere((again as { jobId: string }).jobId, "migration.reconcile", { label: "reconcile", unit: "records", quiet: true });
    expect(job.state).toBe("succeeded");
    const done = await syncStepView(shop.id, migration.id);
    expect(done).toMatchObject({ state: "previewed", working: false, canRefresh: true, preview: { current: true } });
  });
});
