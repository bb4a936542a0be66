// Writes the demo's "old loyalty provider export" (Smile.io shape) for the demo store: the same
// seeded store the Shopify emulator serves (same seed and sizes), so most rows belong to customers
// the new store has, some to shoppers who have no account there yet (pending), a few to e-mail
// variants (suggested matches for review), a few duplicates and a few broken rows — what a real
// export looks like. Deterministic: same options, same file.
//
//   npx tsx scripts/demo-loyalty-export.ts --customers 3000 --orders 9000 --seed 1 --out file.csv [--platform nuvemshop]
import fs from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import { seedStore as seedNuvemshopStore } from "../tests/emulators/nuvemshop/store";
import { seedStore } from "../tests/emulators/shopify/store";
import { mulberry32 } from "../tests/emulators/seeded-random";

export interface DemoExportOptions {
  customers: number;
  orders: number;
  seed: number;
  shopDomain?: string;
  /** Whose seeded store the export is made from (default shopify); `nuvemshop`: the Nuvemshop emulator's. */
  platform?: "shopify" | "nuvemshop";
}

/** What the export reads of a seeded store: both emulators' stores have it. */
interface SeededCustomers {
  customerCount: number;
  email(i: number): string | null | undefined;
  firstName(i: number): string | null | undefined;
  lastName(i: number): string | null | undefined;
}

export function demoLoyaltyExport(options: DemoExportOptions): string {
  const store: SeededCustomers =
    options.platform === "nuvemshop"
      ? seedNuvemshopStore({ customers: options.customers, orders: options.orders, seed: options.seed })
      : seedStore({ customers: options.customers, orders: options.orders, seed: options.seed, shopDomain: options.shopDomain });
  const random = mulberry32(options.seed * 7919 + 17);
  const rows: string[][] = [["email", "first_name", "last_name", "points", "vip_tier", "referral_code"]];
  const tiers = ["Bronze", "Prata", "Ouro"];
  for (let i = 0; i < store.customerCount; i++) {
    const roll = random();
    const email = store.email(i)?.trim();
    if (!email || roll < 0.12) continue; // not every new-store customer was a member
    const points = Math.floor(random() * 4000) + (random() < 0.05 ? 10_000 : 0);
    const tier = tiers[Math.floor(random() * tiers.length)]!;
    let exported = email.toLowerCase();
    if (roll < 0.14 && exported.endsWith("@gmail.com")) exported = exported.replace("@", "+loja@"); // a +tag variant: suggestion only
    rows.push([exported, store.firstName(i) ?? "", store.lastName(i) ?? "", String(points), tier, `REF${(i + 1).toString(36).toUpperCase()}`]);
    if (roll > 0.995) rows.push([exported.toUpperCase(), store.firstName(i) ?? "", "", String(Math.floor(points / 2)), tier, ""]); // duplicate
  }
  const pending = Math.max(5, Math.floor(store.customerCount * 0.15));
  for (let k = 0; k < pending; k++) {
    rows.push([`cliente.antiga${k}@example.com.br`, "Cliente", `Antiga ${k}`, String(Math.floor(random() * 3000) + 1), tiers[k % 3]!, `OLD${k}`]);
  }
  rows.push(["sem-arroba.example.com", "Erro", "Email", "120", "Bronze", ""]); // invalid e-mail
  rows.push(["negativo@example.com", "Saldo", "Negativo", "-40", "Bronze", ""]); // negative balance
  rows.push(["", "Sem", "Identidade", "300", "Bronze", ""]); // no identity
  return stringify(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "3000" },
      orders: { type: "string", default: "9000" },
      seed: { type: "string", default: "1" },
      shop: { type: "string", default: "demo-store.myshopify.com" },
      platform: { type: "string", default: "shopify" },
      out: { type: "string" },
    },
  });
  const platform = values.platform === "nuvemshop" ? "nuvemshop" : "shopify";
  const text = demoLoyaltyExport({ customers: Number(values.customers), orders: Number(values.orders), seed: Number(values.seed), shopDomain: values.shop, platform });
  if (values.out) fs.writeFileSync(values.out, text);
  else process.stdout.write(text);
}
