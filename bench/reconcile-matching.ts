// Matching at scale: N balance records against N store customers through domain/reconcile's
// matchRecords, on one core, with deterministic data shaped like a real migration — most records
// match on e-mail, some only on phone, CPF or the migrated customer id, a few percent are pending
// (no account yet), Gmail/+tag variants (suggestions for review, a third of them already reviewed),
// customers claimed by two records, and customers sharing a phone. Only matchRecords is timed
// (wall clock and process CPU time); generating the data is not.
//
//   npx tsx bench/reconcile-matching.ts [N=1000000]
import os from "node:os";
import { pathToFileURL } from "node:url";
import { matchRecords } from "../domain/reconcile/match";
import type { ReconcileCustomer, ReconcileRecord, RecordClass, ReviewDecisionInput } from "../domain/reconcile/types";
import { mulberry32 } from "../tests/emulators/seeded-random";

export interface MatchingBench {
  records: number;
  customers: number;
  /** Wall-clock time of matchRecords. */
  ms: number;
  /** CPU time of the process meanwhile (GC threads included): the figure to trust on a busy machine. */
  cpuMs: number;
  recordsPerSecond: number;
  classes: Record<RecordClass, number>;
  decisions: number;
  /** Conflicts whose candidates are e-mail variants only. */
  suggestions: number;
}

const gid = (i: number) => `gid://shopify/Customer/${7_000_000_000 + i}`;
const phoneOf = (i: number) => `+55119${String(i % 100_000_000).padStart(8, "0")}`;
const cpfOf = (i: number) => String(10_000_000_000 + i * 7).slice(0, 11);

export function generate(n: number): { records: ReconcileRecord[]; customers: ReconcileCustomer[]; decisions: ReviewDecisionInput[] } {
  const rand = mulberry32(20250601);
  const customers: ReconcileCustomer[] = new Array<ReconcileCustomer>(n);
  for (let i = 0; i < n; i++) {
    const gmail = rand() < 0.15;
    const sharedPhone = i > 0 && rand() < 0.01; // households: the previous customer's phone
    customers[i] = {
      platformId: gid(i),
      emailNormalized: gmail ? `maria.silva${i}@gmail.com` : `cliente${i}@exemplo.com.br`,
      phoneE164: sharedPhone ? phoneOf(i - 1) : rand() < 0.6 ? phoneOf(i) : null,
      cpf: rand() < 0.3 ? cpfOf(i) : null,
    };
  }
  const records: ReconcileRecord[] = new Array<ReconcileRecord>(n);
  const decisions: ReviewDecisionInput[] = [];
  for (let j = 0; j < n; j++) {
    const c = customers[j]!;
    const r = rand();
    const record: ReconcileRecord = {
      id: `rec${String(j).padStart(9, "0")}`,
      rowRef: `balances.csv row ${j + 2}`,
      emailNormalized: null,
      phoneE164: null,
      cpf: null,
      platformCustomerRef: null,
      points: Math.floor(rand() * rand() * 25_000),
    };
    if (r < 0.78) record.emailNormalized = c.emailNormalized;
    else if (r < 0.82) record.phoneE164 = c.phoneE164 ?? phoneOf(n + j); // no phone on the store: pending
    else if (r < 0.84) record.cpf = c.cpf ?? cpfOf(n + j);
    else if (r < 0.87) record.platformCustomerRef = String(7_000_000_000 + j); // migrated with ids
    else if (r < 0.89) {
      // an e-mail variant of the customer's: Gmail without dots, or a +tag
      const email = c.emailNormalized!;
      record.emailNormalized = email.endsWith("@gmail.com") ? email.replace(".", "") : email.replace("@", "+loja@");
      // the merchant already reviewed a third of these on an earlier run
      if (rand() < 0.33) decisions.push({ recordId: record.id, decision: rand() < 0.9 ? "match" : "reject", platformCustomerId: c.platformId });
    } else if (r < 0.92) record.emailNormalized = customers[Math.max(0, j - 1)]!.emailNormalized; // two records, one customer
    else {
      record.emailNormalized = `novo${j}@exemplo.com`; // no account on the new store yet
      record.phoneE164 = rand() < 0.5 ? `+55219${String(j).padStart(8, "0")}` : null;
    }
    records[j] = record;
  }
  // Rows arrive from the database driver as fresh flat strings; template literals here build rope
  // strings whose first hashing would also flatten them. A JSON round trip gives driver-like strings.
  return {
    records: JSON.parse(JSON.stringify(records)) as ReconcileRecord[],
    customers: JSON.parse(JSON.stringify(customers)) as ReconcileCustomer[],
    decisions: JSON.parse(JSON.stringify(decisions)) as ReviewDecisionInput[],
  };
}

export function benchMatching(n: number): MatchingBench {
  const { records, customers, decisions } = generate(n);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcomes = matchRecords(records, customers, decisions, { platform: "shopify", matchByPlatformId: true });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const classes: Record<RecordClass, number> = { matched: 0, pending: 0, conflict: 0, rejected: 0 };
  let suggestions = 0;
  for (const o of outcomes) {
    classes[o.class]++;
    if (o.candidates.length > 0 && o.candidates.every((c) => c.key === "suggested_email")) suggestions++;
  }
  return { records: records.length, customers: customers.length, decisions: decisions.length, ms, cpuMs, recordsPerSecond: Math.round(records.length / (ms / 1000)), classes, suggestions };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const result = benchMatching(n);
  const pct = (k: number) => `${((100 * k) / result.records).toFixed(1)}%`;
  console.log(
    `matchRecords: ${result.records.toLocaleString("en")} records × ${result.customers.toLocaleString("en")} customers, ${result.decisions.toLocaleString("en")} review decisions`,
  );
  console.log(`  time            ${(result.ms / 1000).toFixed(2)} s wall (${result.recordsPerSecond.toLocaleString("en")} records/s), ${(result.cpuMs / 1000).toFixed(2)} s CPU`);
  console.log(`  machine         ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load average ${os.loadavg()[0]!.toFixed(1)} at the end`);
  for (const [cls, count] of Object.entries(result.classes)) console.log(`  ${cls.padEnd(15)} ${count.toLocaleString("en")} (${pct(count)})`);
  console.log(`  suggestions     ${result.suggestions.toLocaleString("en")} (${pct(result.suggestions)}, inside conflict)`);
  console.log(`  Node            ${process.version}`);
}
