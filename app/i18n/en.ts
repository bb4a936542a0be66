/** Admin strings (English). pt-BR and es join in the admin-experience issue; keys stay stable. */
export const en = {
  "app.name": "Carryover",
  "nav.home": "Home",
  "home.title": "Carryover",
  "home.demoBanner": "Local demo mode: you are the admin of {shop}. This mode cannot run in production.",
  "home.storeHeading": "Your new store",
  "home.storeCaption": "Read live from {platform} through the same client Carryover uses to migrate.",
  "home.customers": "Customers",
  "home.orders": "Orders",
  "home.migrations": "Migrations",
  "home.platformUnavailable": "The store's platform could not be reached",
  "home.emptyHeading": "Bring your customers' points over",
  "home.emptyBody":
    "Upload your old loyalty program's export, check every row, preview the result against this store, then restore every customer's points exactly once.",
  "login.title": "Log in",
  "login.shopLabel": "Shop domain",
  "login.shopHelp": "example.myshopify.com",
  "login.submit": "Log in",
} as const;

export type MessageKey = keyof typeof en;

export function translate(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return en[key].replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? `{${name}}`));
}
