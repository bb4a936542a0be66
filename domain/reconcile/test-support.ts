/**
 * Builders and fast-check arbitraries shared by the reconcile tests. Small value pools on purpose:
 * records and customers collide on keys and on e-mail variants often, which is where the rules live.
 */
import fc from "fast-check";
import type { ReconcileCustomer, ReconcileRecord, ReviewDecisionInput } from "./types";

export function rec(id: string, keys: Partial<Omit<ReconcileRecord, "id" | "rowRef">> = {}, rowRef = `balances.csv row ${id}`): ReconcileRecord {
  return { id, rowRef, emailNormalized: null, phoneE164: null, cpf: null, platformCustomerRef: null, points: 100, ...keys };
}

export function cust(platformId: string, keys: Partial<Omit<ReconcileCustomer, "platformId">> = {}): ReconcileCustomer {
  return { platformId, emailNormalized: null, phoneE164: null, cpf: null, ...keys };
}

export const EMAILS = [
  "ana@x.com",
  "ana+promo@x.com",
  "a.na@x.com",
  "ana@gmail.com",
  "a.na@gmail.com",
  "ana+loja@googlemail.com",
  "bia@x.com",
  "bia@gmail.com",
  "b.i.a+z@gmail.com",
  "caio@y.com.br",
] as const;
export const PHONES = ["+5511900000001", "+5511900000002", "+5511900000003"] as const;
export const CPFS = ["11144477735", "52998224725", "39053344705"] as const;
export const REFS = ["1", "2", "3", "4", "gid://shopify/Customer/2", "x9"] as const;

const maybe = <T>(values: readonly T[], freq = 2) => fc.option(fc.constantFrom(...values), { freq });

const keysArb = fc.record({
  emailNormalized: maybe(EMAILS),
  phoneE164: maybe(PHONES),
  cpf: maybe(CPFS),
});

/** Customers with Shopify gids 1..n (distinct), random keys from the pools. */
export const customersArb = fc.array(keysArb, { minLength: 1, maxLength: 8 }).map((list) =>
  list.map((keys, i): ReconcileCustomer => ({ platformId: `gid://shopify/Customer/${i + 1}`, ...keys })),
);

/** Records r0..rn with random keys and points. */
export const recordsArb = fc
  .array(fc.record({ keys: keysArb, ref: maybe(REFS, 3), points: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 12 })
  .map((list) =>
    list.map(({ keys, ref, points }, i): ReconcileRecord => ({ id: `r${i}`, rowRef: `balances.csv row ${i + 2}`, ...keys, platformCustomerRef: ref, points })),
  );

/** Review decisions on some of the records, naming existing and vanished customers. */
export function decisionsArb(records: readonly ReconcileRecord[], customers: readonly ReconcileCustomer[]): fc.Arbitrary<ReviewDecisionInput[]> {
  const ids = [...customers.map((c) => c.platformId), "gid://shopify/Customer/999"];
  return fc.uniqueArray(
    fc.record({
      recordId: fc.constantFrom(...records.map((r) => r.id)),
      decision: fc.constantFrom("match" as const, "pending" as const, "reject" as const),
      platformCustomerId: fc.option(fc.constantFrom(...ids), { freq: 8 }),
    }),
    { selector: (d) => d.recordId, maxLength: records.length },
  );
}
