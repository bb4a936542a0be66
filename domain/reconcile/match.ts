/**
 * Matching valid balance records to the new store's customers (DESIGN.md "Matching customers").
 *
 * Keys are tried in order — e-mail, E.164 phone, CPF, then the platform customer id when the customer
 * base was migrated with its ids — and **the first key that finds any customer decides**:
 * one customer → matched on that key; several → conflict, with the candidates. Later keys are not
 * consulted. So a record whose e-mail belongs to customer A and whose phone belongs to customer B is
 * matched to A, silently: the e-mail is the identity the shopper signs in with on both stores and the
 * one the old provider keyed on, while phone numbers are shared by families and recycled by carriers.
 * Flagging every such record would flood the review queue with households, and a merchant expects the
 * account with the same e-mail to get the points.
 *
 * Then, over all records: several records landing on the same customer all become conflicts
 * ("N records match this customer") — two files of one migration may hold the same person, and only
 * the merchant can say whether to add them up.
 *
 * E-mail variants (Gmail dots, +tags, googlemail.com) never match automatically: a record that found
 * nothing on any key but has customers on a variant of its e-mail goes to review (class conflict) with
 * those customers as "suggested_email" candidates.
 *
 * Review decisions win over every rule above. A record the merchant matched by hand keeps its match
 * even when other records land on the same customer (the merchant chose; two hand-made matches to one
 * customer are two choices, and apply adds them up), but it still counts as a claim on that customer, so
 * an automatic match to the same customer becomes a conflict.
 *
 * Cost: one pass over the customers to build Maps keyed by the normalised values (platform ids only
 * for those some record or decision asks for), one pass over the records with at most four Map lookups
 * each, and one pass over typed arrays to settle customers claimed twice. Outcomes do not depend on
 * the order of the customers (candidates are sorted by platform id). Platform ids are unique in the
 * snapshot (PlatformCustomer is unique on shop and platformId); an id listed twice still shows as one
 * candidate, but its two entries would count claims apart.
 */
import { shopifyGid } from "../identity";
import type { Candidate, MatchKey, MatchOptions, Platform, ReconcileCustomer, ReconcileRecord, RecordOutcome, ReviewDecisionInput } from "./types";

export const REASONS = {
  pending: "no account on the new store yet",
  suggested: "possible match by e-mail variant, needs review",
  nothingToMatchOn: "the record has no e-mail, phone, CPF or usable customer id to match on",
  keptPendingInReview: "kept pending in review",
  rejectedInReview: "rejected in review",
  reviewChoseNobody: "the review chose no customer",
  chosenCustomerGone: "the chosen customer no longer exists",
} as const;

const KEY_WORDS: Record<MatchKey, string> = { email: "e-mail", phone: "phone number", cpf: "CPF", platform_id: "customer id" };

/** A Map value: the index of the one customer holding a key, or the indices of several. */
type Slot = number | number[];

function addTo(index: Map<string, Slot>, key: string, customer: number): void {
  const slot = index.get(key);
  if (slot === undefined) index.set(key, customer);
  else if (typeof slot === "number") index.set(key, [slot, customer]);
  else slot.push(customer);
}

/**
 * The e-mail a mailbox provider would deliver to, for *suggestions only*: "+tag" is dropped from the
 * local part for every domain; for Gmail (gmail.com and googlemail.com, which are one service) dots
 * are dropped too and the domain becomes gmail.com. Returns the input itself when nothing changes.
 */
export function emailVariantKey(email: string): string {
  const plus = email.indexOf("+");
  const gmail = email.endsWith("@gmail.com") || email.endsWith("@googlemail.com");
  if (plus < 0 && !gmail) return email;
  const at = email.lastIndexOf("@");
  if (at <= 0) return email;
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  // "+tag" only after a non-empty name: "+ana@x.com" has nothing left to deliver to.
  const tag = local.indexOf("+");
  if (tag > 0) local = local.slice(0, tag);
  if (gmail) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  if (local === "") return email;
  const key = `${local}@${domain}`;
  return key === email ? email : key;
}

/**
 * The record's customer id as the snapshot spells platform ids: Shopify `gid://shopify/Customer/<n>`
 * (a bare number becomes a gid), Nuvemshop the numeric id. Null when the value cannot be an id there.
 */
export function platformIdKey(ref: string | null, platform: Platform): string | null {
  if (ref === null) return null;
  const value = ref.trim();
  if (platform === "nuvemshop") return /^\d+$/.test(value) ? value : null;
  if (/^\d+$/.test(value)) return shopifyGid("Customer", value);
  return /^gid:\/\/shopify\/Customer\/\d+$/.test(value) ? value : null;
}

/** The snapshot, indexed once. */
interface CustomerIndex {
  customers: readonly ReconcileCustomer[];
  byEmail: Map<string, Slot>;
  byPhone: Map<string, Slot>;
  byCpf: Map<string, Slot>;
  /** emailVariantKey → customers whose variant key differs from their e-mail (the others are in byEmail). */
  byEmailVariant: Map<string, Slot>;
  /** Only the platform ids some record or review decision asks for. */
  byPlatformId: Map<string, Slot>;
}

function indexCustomers(customers: readonly ReconcileCustomer[], wantedPlatformIds: ReadonlySet<string>): CustomerIndex {
  const index: CustomerIndex = { customers, byEmail: new Map(), byPhone: new Map(), byCpf: new Map(), byEmailVariant: new Map(), byPlatformId: new Map() };
  const byId = wantedPlatformIds.size > 0;
  for (let i = 0; i < customers.length; i++) {
    const c = customers[i]!;
    const email = c.emailNormalized;
    if (email !== null) {
      addTo(index.byEmail, email, i);
      const variant = emailVariantKey(email);
      if (variant !== email) addTo(index.byEmailVariant, variant, i);
    }
    if (c.phoneE164 !== null) addTo(index.byPhone, c.phoneE164, i);
    if (c.cpf !== null) addTo(index.byCpf, c.cpf, i);
    if (byId && wantedPlatformIds.has(c.platformId)) addTo(index.byPlatformId, c.platformId, i);
  }
  return index;
}

const byPlatformId = (a: Candidate, b: Candidate) => (a.platformId < b.platformId ? -1 : a.platformId > b.platformId ? 1 : 0);

/** The distinct customers of some slots (a platform id held twice in the snapshot is one customer), sorted. */
function candidatesOf(index: CustomerIndex, slots: readonly Slot[], key: Candidate["key"]): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const slot of slots) {
    for (const i of typeof slot === "number" ? [slot] : slot) {
      const platformId = index.customers[i]!.platformId;
      if (!seen.has(platformId)) {
        seen.add(platformId);
        out.push({ platformId, key });
      }
    }
  }
  return out.sort(byPlatformId);
}

/** The automatic outcome of one record, and the customer it claims (-1: none). */
interface AutoResult {
  outcome: RecordOutcome;
  customer: number;
}

function decideOnKey(index: CustomerIndex, record: ReconcileRecord, slot: Slot, key: MatchKey): AutoResult {
  if (typeof slot === "number") {
    return { outcome: matched(record, index.customers[slot]!.platformId, key), customer: slot };
  }
  const candidates = candidatesOf(index, [slot], key);
  if (candidates.length === 1) {
    return { outcome: matched(record, candidates[0]!.platformId, key), customer: slot[0]! };
  }
  return {
    outcome: conflict(record, `${candidates.length} customers of the new store share this ${KEY_WORDS[key]}`, candidates),
    customer: -1,
  };
}

/** The candidates of every outcome that has none: one shared, frozen array instead of a million empty ones. */
const NO_CANDIDATES = Object.freeze([]) as unknown as Candidate[];

function matched(record: ReconcileRecord, platformCustomerId: string, matchedBy: RecordOutcome["matchedBy"]): RecordOutcome {
  return { recordId: record.id, class: "matched", platformCustomerId, matchedBy, reason: null, candidates: NO_CANDIDATES, points: record.points };
}

function conflict(record: ReconcileRecord, reason: string, candidates: Candidate[]): RecordOutcome {
  return { recordId: record.id, class: "conflict", platformCustomerId: null, matchedBy: null, reason, candidates, points: record.points };
}

function unmatched(record: ReconcileRecord, cls: "pending" | "rejected", reason: string): RecordOutcome {
  return { recordId: record.id, class: cls, platformCustomerId: null, matchedBy: null, reason, candidates: NO_CANDIDATES, points: record.points };
}

function autoMatch(index: CustomerIndex, record: ReconcileRecord, idKey: string | null): AutoResult {
  const email = record.emailNormalized;
  if (email !== null) {
    const slot = index.byEmail.get(email);
    if (slot !== undefined) return decideOnKey(index, record, slot, "email");
  }
  if (record.phoneE164 !== null) {
    const slot = index.byPhone.get(record.phoneE164);
    if (slot !== undefined) return decideOnKey(index, record, slot, "phone");
  }
  if (record.cpf !== null) {
    const slot = index.byCpf.get(record.cpf);
    if (slot !== undefined) return decideOnKey(index, record, slot, "cpf");
  }
  if (idKey !== null) {
    const slot = index.byPlatformId.get(idKey);
    if (slot !== undefined) return decideOnKey(index, record, slot, "platform_id");
  }
  if (email !== null) {
    const variant = emailVariantKey(email);
    const slots: Slot[] = [];
    if (variant !== email) {
      const exact = index.byEmail.get(variant);
      if (exact !== undefined) slots.push(exact);
    }
    const others = index.byEmailVariant.get(variant);
    if (others !== undefined) slots.push(others);
    if (slots.length > 0) return { outcome: conflict(record, REASONS.suggested, candidatesOf(index, slots, "suggested_email")), customer: -1 };
  }
  if (email === null && record.phoneE164 === null && record.cpf === null && idKey === null) {
    return { outcome: conflict(record, REASONS.nothingToMatchOn, []), customer: -1 };
  }
  return { outcome: unmatched(record, "pending", REASONS.pending), customer: -1 };
}

/** The automatic result as candidates for the merchant (used when a review decision cannot be applied). */
function autoCandidates(result: AutoResult): Candidate[] {
  const o = result.outcome;
  if (o.class === "matched" && o.platformCustomerId !== null && o.matchedBy !== null && o.matchedBy !== "review") {
    return [{ platformId: o.platformCustomerId, key: o.matchedBy }];
  }
  return o.candidates;
}

/** "also a.csv row 2, b.csv row 9 and 4 more": the other claimants of a customer, the first three named. */
function otherRecordsPhrase(records: readonly ReconcileRecord[], claimants: readonly number[], self: number): string {
  const named: string[] = [];
  for (const r of claimants) {
    if (named.length === 3) break;
    if (r !== self) named.push(records[r]!.rowRef);
  }
  const more = claimants.length - 1 - named.length;
  return `also ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

/**
 * One outcome per record, in input order; deterministic for the same records, customers (in any
 * order) and decisions. When several decisions name the same record, the last one counts.
 */
export function matchRecords(
  records: readonly ReconcileRecord[],
  customers: readonly ReconcileCustomer[],
  decisions: readonly ReviewDecisionInput[],
  options: MatchOptions,
): RecordOutcome[] {
  const decisionOf = new Map<string, ReviewDecisionInput>();
  const wantedPlatformIds = new Set<string>();
  for (const d of decisions) {
    decisionOf.set(d.recordId, d);
    if (d.decision === "match" && d.platformCustomerId !== null) wantedPlatformIds.add(d.platformCustomerId);
  }
  const idKeys: (string | null)[] | null = options.matchByPlatformId ? records.map((r) => platformIdKey(r.platformCustomerRef, options.platform)) : null;
  for (const key of idKeys ?? []) {
    if (key !== null) wantedPlatformIds.add(key);
  }
  const index = indexCustomers(customers, wantedPlatformIds);
  const idKeyOf = (r: number) => (idKeys === null ? null : idKeys[r]!);

  const outcomes: RecordOutcome[] = new Array<RecordOutcome>(records.length);
  /** Customer (index) each record claims, -1 for none; claims per customer; hand-made matches. */
  const claim = new Int32Array(records.length).fill(-1);
  const claims = new Int32Array(customers.length);
  const byReview = new Uint8Array(records.length);

  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    const decision = decisionOf.size === 0 ? undefined : decisionOf.get(record.id);
    if (decision === undefined) {
      const auto = autoMatch(index, record, idKeyOf(r));
      outcomes[r] = auto.outcome;
      if (auto.customer >= 0) {
        claim[r] = auto.customer;
        claims[auto.customer]!++;
      }
      continue;
    }
    byReview[r] = 1;
    if (decision.decision === "reject") outcomes[r] = unmatched(record, "rejected", REASONS.rejectedInReview);
    else if (decision.decision === "pending") outcomes[r] = unmatched(record, "pending", REASONS.keptPendingInReview);
    else {
      const chosen = decision.platformCustomerId;
      const slot = chosen === null ? undefined : index.byPlatformId.get(chosen);
      if (chosen === null || slot === undefined) {
        const reason = chosen === null ? REASONS.reviewChoseNobody : REASONS.chosenCustomerGone;
        outcomes[r] = conflict(record, reason, autoCandidates(autoMatch(index, record, idKeyOf(r))));
      } else {
        const customer = typeof slot === "number" ? slot : slot[0]!;
        outcomes[r] = matched(record, chosen, "review");
        claim[r] = customer;
        claims[customer]!++;
      }
    }
  }

  // Customers claimed by several records: every automatic match on them becomes a conflict.
  const claimants = new Map<number, number[]>();
  for (let r = 0; r < records.length; r++) {
    const customer = claim[r]!;
    if (customer < 0 || claims[customer]! < 2) continue;
    const list = claimants.get(customer);
    if (list) list.push(r);
    else claimants.set(customer, [r]);
  }
  for (const [, list] of claimants) {
    for (const r of list) {
      if (byReview[r] === 1) continue;
      const outcome = outcomes[r]!;
      const reason = `${list.length} records match this customer (${otherRecordsPhrase(records, list, r)})`;
      outcomes[r] = conflict(records[r]!, reason, [{ platformId: outcome.platformCustomerId!, key: outcome.matchedBy as MatchKey }]);
    }
  }
  return outcomes;
}
