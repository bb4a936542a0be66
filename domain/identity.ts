/**
 * Normalised copies of identity values, used for matching only (the raw value is always kept).
 * Issue-level rules (DESIGN.md "Matching customers"): trim, Unicode NFC, lower-case.
 */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const value = raw.normalize("NFC").trim().toLowerCase();
  return value === "" ? null : value;
}

/** The platform's own customer id, as one string whatever the platform or payload gave. */
export function shopifyGid(resource: "Customer" | "Order" | "Shop", id: string | number | bigint): string {
  const text = String(id);
  if (text.startsWith("gid://shopify/")) return text;
  if (!/^\d+$/.test(text)) throw new Error(`not a Shopify ${resource} id: ${text}`);
  return `gid://shopify/${resource}/${text}`;
}
