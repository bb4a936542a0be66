import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "@prisma/client";
import prisma from "~/db.server";
import { formatter } from "~/i18n";
import { PermanentJobError, JobRunner } from "~/jobs/runner.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { applyMigration, type ApplyResult } from "~/services/apply/apply.server";
import { applyPlan, applyStepView, retryApply, startApply, type ApplyPlan } from "~/services/admin/apply-step.server";
import { reportDownload, reportStepView, rollbackPlan, startRollback } from "~/services/admin/report-step.server";
import { restoreCustomer } from "~/services/restore/restore.server";
import { rollbackMigration } from "~/services/rollback/rollback.server";
import { pendingMemberIdPrefix } from "~domain/apply/pilot";
import { applyScenario, storedPoints, type Scenario } from "./apply-scenario";

// The wizard's Apply and Report steps through their services, on a real database and a Shopify
// emulator store: the confirmation says exactly what apply then writes (pilot, then the rest, after a
// failed run and its retry), the report's identity holds and is shown, the downloads hold what they
// say, another shop sees nothing, and the rollback does what its confirmation said.

let s: Scenario;
const en = formatter("en");

beforeAll(async () => {
  // More than one apply batch (500) of matched + pending records, so an apply can fail half-way.
  s = await applyScenario({ customers: 800, orders: 2400, seed: 13 });
}, 180_000);

afterAll(async () => {
  await s?.emulator.close();
});

/** The first balance of every store write fails (a 422 from the store): the rest go through. */
function clientFailingFirstPush(): PlatformClient {
  const failing = Object.create(s.client) as PlatformClient;
  failing.writeBalances = async (balances) => {
    const [first, ...rest] = balances;
    const result = await s.client.writeBalances(rest);
    return { written: result.written, failed: [...(first ? [{ customerId: first.customerId, message: "422 metafieldsSet: value is invalid (test)" }] : []), ...result.failed] };
  };
  return failing;
}

/** Runs this scenario's queued job to its end in this process (another file's leftover job of the kind is failed, not run). */
async function runJob(jobId: string, options: { client?: PlatformClient; failAfterFirstBatch?: boolean } = {}): Promise<Job> {
  const client = options.client ?? s.client;
  const mine = (payload: { shopId: string }) => {
    if (payload.shopId !== s.shop.id) throw new PermanentJobError("a job of another test file");
  };
  const runner = new JobRunner({
    handlers: {
      async "migration.apply"({ payload, checkpoint, progress }) {
        mine(payload);
        const result = await applyMigration({
          ...payload,
          client,
          checkpoint,
          progress: async (update) => {
            await progress(update);
            if (options.failAfterFirstBatch && update.done > 0) throw new PermanentJobError("the store stopped answering (test)");
          },
        });
        if (!("stats" in result)) throw new PermanentJobError(`${result.outcome}: ${result.message}`);
      },
      async "migration.rollback"({ payload, checkpoint, progress }) {
        mine(payload);
        const outcome = await rollbackMigration({ shopId: payload.shopId, migrationId: payload.migrationId, client, checkpoint, progress });
        if (outcome.outcome !== "rolled-back") throw new PermanentJobError(outcome.outcome);
      },
    },
  });
  for (;;) {
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    if (job.state === "succeeded" || job.state === "failed") return job;
    if ((await runner.runOne()).outcome === "idle") await new Promise((r) => setTimeout(r, 50));
  }
}

const resultOf = (job: Job) => (JSON.parse(job.checkpoint!) as { result: ApplyResult }).result;
const state = async () => (await prisma.migration.findUniqueOrThrow({ where: { id: s.migrationId } })).state;
const importPoints = async () => (await prisma.ledgerEntry.aggregate({ where: { shopId: s.shop.id, migrationId: s.migrationId, kind: "import" }, _sum: { points: true } }))._sum.points ?? 0;

async function planOf(pilot: Parameters<typeof applyPlan>[2]): Promise<ApplyPlan> {
  const r = await applyPlan(s.shop, s.migrationId, pilot);
  if (r.outcome !== "plan") throw new Error(JSON.stringify(r));
  return r.plan;
}

async function csv(kind: "exceptions" | "restored-members", locale: "en" | "pt-BR" = "en"): Promise<{ fileName: string; rows: string[][] }> {
  const d = await reportDownload(s.shop.id, s.migrationId, kind, formatter(locale));
  if (!d) throw new Error("not found");
  const bytes = new Uint8Array(await new Response(d.body).arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM: spreadsheets then read UTF-8
  return { fileName: d.fileName, rows: parse(new TextDecoder().decode(bytes)) as string[][] };
}

describe("Apply: a pilot, then everyone", () => {
  let pilotPlan: ApplyPlan;

  it("the pilot's confirmation states exactly what the pilot then writes", async () => {
    const before = await applyStepView(s.shop, s.migrationId);
    expect(before).toMatchObject({ state: "previewed", job: null, working: false, platform: "shopify", shopDomain: s.shop.domain });
    expect(before?.preview?.reconciliationId).toBe(s.reconciliationId);

    pilotPlan = await planOf({ percent: 10 });
    const f = pilotPlan.figures;
    expect(pilotPlan).toMatchObject({ scope: "pilot", afterPilot: false, reconciliationId: s.reconciliationId, staleOrders: false, destination: { platform: "shopify", shopDomain: s.shop.domain } });
    expect(f.credit.members + f.zeroPoints).toBe(Math.ceil(s.preview.members.matched / 10));
    expect(f.credit.points).toBeGreaterThan(0);
    expect(f.pending).toEqual({ members: 0, points: 0 });
    expect(f.alreadyApplied).toEqual({ records: 0, points: 0 });
    expect(pilotPlan.left).toEqual({ matched: s.preview.members.matched - (f.credit.members + f.zeroPoints), pending: s.preview.members.pending });
    expect(pilotPlan.notWritten).toEqual({
      conflicts: { records: s.preview.members.conflict, points: s.preview.points.conflict },
      rejected: { records: s.preview.members.rejectedAtImport + s.preview.members.rejectedInReview, points: s.preview.points.rejected.total },
    });
    // Nothing was written by asking.
    expect(await prisma.ledgerEntry.count({ where: { shopId: s.shop.id } })).toBe(0);

    const started = await startApply(s.shop.id, s.migrationId, { percent: 10 }, pilotPlan.reconciliationId);
    if (started.outcome !== "enqueued") throw new Error(JSON.stringify(started));
    const running = await applyStepView(s.shop, s.migrationId);
    expect(running).toMatchObject({ working: true, job: { id: started.jobId, scope: "pilot", pilot: { percent: 10 } } });

    const job = await runJob(started.jobId, { client: clientFailingFirstPush() });
    expect(job.state).toBe("succeeded");
    const r = resultOf(job);
    expect(r.stats.imports.posted).toBe(f.credit.members);
    expect(r.stats.imports.points).toBe(f.credit.points);
    expect(r.stats.records.matched).toBe(f.credit.members + f.zeroPoints);
    expect(r.stats.retroactive.posted).toBe(f.retroactive.orders);
    expect(r.stats.retroactive.points).toBe(f.retroactive.points);
    expect(await importPoints()).toBe(f.credit.points);
    expect(r.stats.push.failed).toBeGreaterThan(0);

    const after = await applyStepView(s.shop, s.migrationId);
    expect(after).toMatchObject({ state: "piloted", working: false, all: null, job: { progress: { state: "succeeded", done: job.progressTotal, total: job.progressTotal } } });
    expect(after?.pilot?.result?.stats.imports.points).toBe(f.credit.points);
    expect(after?.pilot?.result?.pushFailures[0]?.message).toContain("422");
    // Piloted, the step also says what rolling the pilot back would undo: exactly what it wrote.
    expect(after?.rollback).toMatchObject({ entries: f.credit.members + f.retroactive.orders, points: f.credit.points + f.retroactive.points, pendingMembers: 0, belowZero: 0 });
  }, 120_000);

  it("a piloted migration takes no second pilot; the rest's confirmation counts the pilot as applied", async () => {
    expect(await applyPlan(s.shop, s.migrationId, { percent: 20 })).toEqual({ outcome: "not-open", state: "piloted" });
    expect(await startApply(s.shop.id, s.migrationId, { percent: 20 })).toMatchObject({ outcome: "already-piloted" });

    const rest = await planOf(null);
    expect(rest).toMatchObject({ scope: "all", afterPilot: true, left: null });
    expect(rest.figures.alreadyApplied).toEqual({ records: pilotPlan.figures.credit.members, points: pilotPlan.figures.credit.points });
    expect(rest.figures.pending.members).toBe(s.preview.members.pending);
    expect(rest.figures.pending.points).toBe(s.preview.points.pending);
    expect(rest.figures.credit.points + pilotPlan.figures.credit.points).toBe(s.preview.points.matched);
  });

  it("an apply that fails half-way says what failed; the confirmation then states what is left, and a retry writes exactly that", async () => {
    const rest = await planOf(null);
    const started = await startApply(s.shop.id, s.migrationId, null, rest.reconciliationId);
    if (started.outcome !== "enqueued") throw new Error(JSON.stringify(started));
    const failed = await runJob(started.jobId, { failAfterFirstBatch: true });
    expect(failed.state).toBe("failed");

    const view = await applyStepView(s.shop, s.migrationId);
    expect(view).toMatchObject({ state: "applying", working: false, all: null, job: { id: started.jobId, scope: "all", progress: { state: "failed", error: "the store stopped answering (test)" } } });
    const written = await importPoints();
    expect(written).toBeGreaterThan(pilotPlan.figures.credit.points);

    // What is left, and what a retry writes: the same figures.
    const left = await planOf(null);
    expect(left.figures.alreadyApplied.points).toBe(written);
    expect(left.figures.credit.points + left.figures.pending.points).toBe(rest.figures.credit.points + rest.figures.pending.points - (written - pilotPlan.figures.credit.points));
    const retried = await retryApply(s.shop.id, s.migrationId);
    if (retried.outcome !== "enqueued") throw new Error(JSON.stringify(retried));
    const job = await runJob(retried.jobId);
    expect(job.state).toBe("succeeded");
    const r = resultOf(job);
    expect(r.stats.imports.points).toBe(left.figures.credit.points + left.figures.pending.points);
    expect(r.stats.imports.duplicate).toBe(left.figures.alreadyApplied.records);
    expect(r.stats.members.createdPending).toBe(left.figures.pending.members);
    expect(r.stats.retroactive.points).toBe(left.figures.retroactive.points);
    expect(await importPoints()).toBe(s.preview.points.matched + s.preview.points.pending);
    expect(await state()).toBe("applied");
    expect(await retryApply(s.shop.id, s.migrationId)).toEqual({ outcome: "nothing-to-retry" });

    // The store holds every visible member's balance (the pilot's failed pushes were written again).
    const visible = await prisma.member.findMany({ where: { shopId: s.shop.id, state: "visible" }, take: 200 });
    expect(visible.filter((m) => storedPoints(s.emulator, m.platformCustomerId!) !== m.balance)).toEqual([]);
    const done = await applyStepView(s.shop, s.migrationId);
    expect(done?.all?.result?.outcome).toBe("applied");
    expect(await applyPlan(s.shop, s.migrationId, null)).toEqual({ outcome: "not-open", state: "applied" });
  }, 180_000);
});

describe("Report", () => {
  it("shows the identity and checks it: points in the file = credited + pending + to review + rejected", async () => {
    const view = await reportStepView(s.shop, s.migrationId);
    if (!view?.figures) throw new Error("no report figures");
    const v = { ...view.figures, rollback: view.rollback };
    expect(v.identity.holds).toBe(true);
    expect(v.identity.inFile).toBe(s.preview.points.inFile);
    expect(v.identity.sum).toBe(s.preview.points.inFile);
    const term = (key: string) => v.identity.terms.find((t) => t.key === key)?.points;
    expect(term("credited")).toBe(s.preview.points.matched);
    expect(term("pending")).toBe(s.preview.points.pending);
    expect(term("conflict")).toBe(s.preview.points.conflict);
    expect(term("rejected")).toBe(s.preview.points.rejected.total);
    expect(v.identity.terms.map((t) => t.key)).toEqual(["credited", "pending", "conflict", "rejected"]);
    expect(v.report.membersPending).toBe(s.preview.members.pending);
    expect(v.report.pushFailures.count).toBeGreaterThan(0);
    expect(v.restores).toMatchObject({ members: 0, unit: "day" });
    expect(v.restores.since).not.toBeNull();
    expect(v.rollback).toMatchObject({ open: true, job: null, result: null });
  });

  it("a pending member who registers moves their points from pending to credited and shows in today's restores", async () => {
    const member = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, id: { startsWith: pendingMemberIdPrefix(s.migrationId) }, state: "pending", balance: { gt: 0 }, email: { not: null } }, orderBy: { id: "asc" } });
    const legacyId = s.emulator.store.customerLegacyId(s.emulator.store.createCustomer({ email: member.email!, firstName: "Late", lastName: "Shopper" }));
    const restored = await restoreCustomer({ shop: s.shop, customerId: `gid://shopify/Customer/${legacyId}`, topic: "CUSTOMERS_CREATE", client: s.client });
    expect(restored).toMatchObject({ outcome: "restored" });

    const v = (await reportStepView(s.shop, s.migrationId))!.figures!;
    expect(v.identity.holds).toBe(true);
    expect(v.identity.terms.find((t) => t.key === "credited")?.points).toBe(s.preview.points.matched + member.balance);
    expect(v.identity.terms.find((t) => t.key === "pending")?.points).toBe(s.preview.points.pending - member.balance);
    expect(v.report.membersRestored).toBe(1);
    expect(v.restores).toMatchObject({ members: 1, points: member.balance });
    expect(v.restores.buckets.at(-1)).toEqual({ start: new Date().toISOString().slice(0, 10), members: 1, points: member.balance });
  });

  it("the exceptions CSV lists rejected rows, conflicts and push failures with their reasons, spreadsheet-safe", async () => {
    // A rejected row whose e-mail cell would be a formula in a spreadsheet.
    const rejected = await prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: s.migrationId, status: "rejected" }, orderBy: { rowNumber: "asc" } });
    const header = (JSON.parse((await prisma.importFile.findUniqueOrThrow({ where: { id: rejected.importFileId } })).mappingJson) as { email: string }).email;
    const raw = { ...(JSON.parse(rejected.rawJson) as Record<string, string>), [header]: '=HYPERLINK("http://evil.example","x")' };
    await prisma.loyaltyRecord.update({ where: { id: rejected.id }, data: { rawJson: JSON.stringify(raw) } });

    const { fileName, rows } = await csv("exceptions");
    expect(fileName).toBe("apply-test-exceptions.csv");
    expect(rows[0]).toEqual(["Type", "File", "Row", "E-mail", "First name", "Last name", "Phone", "CPF", "Points", "Customer id", "Reason"]);
    const body = rows.slice(1);
    const of = (type: string) => body.filter((r) => r[0] === type);
    const files = await prisma.importFile.findMany({ where: { migrationId: s.migrationId } });
    expect(of("Rejected at import")).toHaveLength(files.reduce((n, f) => n + f.rowsRejected, 0));
    expect(of("To review")).toHaveLength(s.preview.members.conflict);
    expect(of("To review").reduce((n, r) => n + Number(r[8]), 0)).toBe(s.preview.points.conflict);
    expect(of("Rejected in review")).toHaveLength(s.preview.members.rejectedInReview);
    const report = (await reportStepView(s.shop, s.migrationId))!.figures!.report;
    expect(of("Not written to the store")).toHaveLength(report.pushFailures.count);
    expect(body).toHaveLength(files.reduce((n, f) => n + f.rowsRejected, 0) + s.preview.members.conflict + s.preview.members.rejectedInReview + report.pushFailures.count);
    // Every line says why.
    expect(body.filter((r) => r[10]!.trim() === "")).toEqual([]);
    const bad = body.find((r) => r[1] === "smile-export.csv" && r[2] === String(rejected.rowNumber))!;
    expect(bad[3]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(of("Not written to the store")[0]![10]).toContain("422");

    // In the admin's language.
    const pt = await csv("exceptions", "pt-BR");
    expect(pt.rows[0]![0]).toBe("Tipo");
    expect(pt.rows.slice(1).some((r) => r[0] === "Rejeitado na importação")).toBe(true);
  });

  it("the restored members CSV holds every member whose balance is on the store, for a relaunch campaign", async () => {
    const someone = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, migrationId: s.migrationId, state: "visible", ledgerEntries: { some: { kind: "import" } } }, orderBy: { id: "asc" } });
    await prisma.member.update({ where: { id: someone.id }, data: { firstName: "@SUM(1+1)*cmd", marketingConsent: "yes" } });
    const { fileName, rows } = await csv("restored-members");
    expect(fileName).toBe("apply-test-restored-members.csv");
    expect(rows[0]).toEqual(["E-mail", "First name", "Last name", "Phone", "Points", "Tier", "Restored at", "Marketing consent"]);
    const body = rows.slice(1);
    const expected = await prisma.member.count({ where: { shopId: s.shop.id, state: "visible", redactedAt: null, ledgerEntries: { some: { migrationId: s.migrationId, kind: "import" } } } });
    expect(body).toHaveLength(expected);
    expect(body.length).toBe((await reportStepView(s.shop, s.migrationId))!.figures!.report.membersMatched + 1); // + the one restored above
    const line = body.find((r) => r[0] === someone.email)!;
    expect(line[1]).toBe("'@SUM(1+1)*cmd");
    expect(line[4]).toBe(String(someone.balance));
    expect(line[7]).toBe("yes");
    expect(new Date(line[6]!).getTime()).not.toBeNaN();
    // The registered shopper is in it, dated when they registered.
    const restored = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, restoredAt: { not: null }, migrationId: s.migrationId } });
    expect(body.find((r) => r[0] === restored.email)?.[6]).toBe(restored.restoredAt!.toISOString());
    // Pending members are not (they have not registered).
    const pending = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, state: "pending", email: { not: null } } });
    expect(body.some((r) => r[0] === pending.email)).toBe(false);
  });
});

describe("another shop", () => {
  it("finds none of this migration, through any step service", async () => {
    const other = await prisma.shop.create({ data: { platform: "shopify", domain: `other-${Date.now()}.myshopify.com` } });
    expect(await applyStepView(other, s.migrationId)).toBeNull();
    expect(await applyPlan(other, s.migrationId, null)).toEqual({ outcome: "not-found" });
    expect(await startApply(other.id, s.migrationId, null)).toMatchObject({ outcome: "not-found" });
    expect(await retryApply(other.id, s.migrationId)).toMatchObject({ outcome: "not-found" });
    expect(await reportStepView(other, s.migrationId)).toBeNull();
    expect(await reportDownload(other.id, s.migrationId, "exceptions", en)).toBeNull();
    expect(await reportDownload(other.id, s.migrationId, "restored-members", en)).toBeNull();
    expect(await startRollback(other.id, s.migrationId)).toEqual({ outcome: "not-found" });
    expect(await state()).toBe("applied");
  });
});

describe("Rollback from the report", () => {
  it("does what its confirmation says, then the report reads it", async () => {
    const plan = await rollbackPlan(s.shop.id, s.migrationId);
    const credited = await prisma.ledgerEntry.aggregate({ where: { shopId: s.shop.id, migrationId: s.migrationId, reversesId: null, kind: { not: "restore" }, points: { not: 0 } }, _count: true, _sum: { points: true } });
    expect(plan.entries).toBe(credited._count);
    expect(plan.points).toBe(credited._sum.points);
    expect(plan.members).toBe(plan.visibleMembers + plan.pendingMembers);
    // Pending members with points (the one who registered is visible now); 0-point members hold no entry.
    expect(plan.pendingMembers).toBe(await prisma.member.count({ where: { shopId: s.shop.id, state: "pending", balance: { not: 0 } } }));
    expect(plan.belowZero).toBe(0);
    expect((await reportStepView(s.shop, s.migrationId))?.rollback.plan).toEqual(plan);

    const asked = await startRollback(s.shop.id, s.migrationId);
    if (asked.outcome !== "enqueued") throw new Error(JSON.stringify(asked));
    const during = (await reportStepView(s.shop, s.migrationId))!;
    // While the job runs the screen polls: the progress, not the whole ledger's figures.
    expect(during).toMatchObject({ state: "rolling_back", working: true, figures: null, rollback: { open: false, plan: null, job: { id: asked.jobId } } });
    expect(await startRollback(s.shop.id, s.migrationId)).toMatchObject({ outcome: "in-progress", jobId: asked.jobId });

    const job = await runJob(asked.jobId);
    expect(job.state).toBe("succeeded");
    const v = (await reportStepView(s.shop, s.migrationId))!;
    expect(v).toMatchObject({ state: "rolled_back", working: false, rollback: { open: false, plan: null, result: { reversals: plan.entries, pointsReversed: -plan.points, members: plan.members, pendingMembers: plan.pendingMembers } } });
    expect(v.figures?.identity.holds).toBe(true);
    expect(v.figures?.identity.terms.find((t) => t.key === "reversed")?.points).toBe(s.preview.points.matched + s.preview.points.pending);
    expect(v.figures?.identity.terms.find((t) => t.key === "credited")?.points).toBe(0);
    expect(await startRollback(s.shop.id, s.migrationId)).toMatchObject({ outcome: "refused", reason: "already-rolled-back" });
    // Nothing is on the store for the migration's members any more, and the restored members CSV is empty.
    expect((await csv("restored-members")).rows).toHaveLength(1);
  }, 120_000);
});
