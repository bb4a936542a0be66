import { PlatformError } from "../platform-client";
import { parseLinkHeader } from "./nuvemshop-mapping";
import type { NuvemshopRest } from "./nuvemshop-rest.server";

/**
 * The store and its webhook subscriptions, through the REST transport (so paced, retried and classified
 * like every other call). Field names from the documented resources: `GET /store` (id, name by language,
 * country ISO 3166-1, main_language, main_currency…) and `GET/POST/PUT/DELETE /webhooks`
 * (`{ id, event, url, created_at, updated_at }`; `GET` lists this app's subscriptions only).
 */

export interface NuvemshopStoreInfo {
  id: string;
  name: string | null;
  /** ISO 3166-1 alpha-2, e.g. "BR". */
  country: string | null;
  /** The store's main language, e.g. "pt", "es". */
  mainLanguage: string | null;
  mainCurrency: string | null;
}

export interface NuvemshopWebhook {
  id: string;
  event: string;
  url: string;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

export async function fetchStoreInfo(rest: NuvemshopRest): Promise<NuvemshopStoreInfo> {
  const res = await rest.get<Json>("/store");
  const body = res.body;
  if (!body || typeof body !== "object" || (typeof body.id !== "number" && typeof body.id !== "string")) {
    throw new PlatformError("Nuvemshop answered GET /store without a store id", "BAD_RESPONSE", false);
  }
  const mainLanguage = str(body.main_language);
  // `name` is per language: { pt: "Loja", es: "Tienda" }; older answers may give a plain string.
  let name: string | null = null;
  if (typeof body.name === "string") name = str(body.name);
  else if (body.name && typeof body.name === "object") {
    const names = body.name as Record<string, unknown>;
    name = (mainLanguage ? str(names[mainLanguage]) : null) ?? Object.values(names).map(str).find((n) => n !== null) ?? null;
  }
  return { id: String(body.id), name, country: str(body.country)?.toUpperCase() ?? null, mainLanguage, mainCurrency: str(body.main_currency)?.toUpperCase() ?? null };
}

/**
 * Whether the store still accepts this token: GET /store answers, or 401/403 (revoked: the app was
 * uninstalled, or a newer token replaced it). Anything else (5xx, network) throws, retryable.
 */
export async function tokenStillAccepted(rest: NuvemshopRest): Promise<boolean> {
  try {
    await rest.get("/store", { query: { fields: "id" } });
    return true;
  } catch (error) {
    if (error instanceof PlatformError && error.code === "UNAUTHORIZED") return false;
    throw error;
  }
}

function toWebhook(json: Json): NuvemshopWebhook | null {
  if ((typeof json.id !== "number" && typeof json.id !== "string") || typeof json.event !== "string" || typeof json.url !== "string") return null;
  return { id: String(json.id), event: json.event, url: json.url };
}

/** Every webhook this app has on the store, following `Link: rel="next"` (200 a page). */
export async function listWebhooks(rest: NuvemshopRest): Promise<NuvemshopWebhook[]> {
  const all: NuvemshopWebhook[] = [];
  for (let page = 1; page <= 100; page++) {
    const res = await rest.get<unknown>("/webhooks", { query: { per_page: 200, page }, accept: [404] });
    // 404 past the last page (or with no webhooks at all) is the end of the list.
    if (res.status === 404) break;
    if (!Array.isArray(res.body)) throw new PlatformError("Nuvemshop answered GET /webhooks with something other than a list", "BAD_RESPONSE", false);
    for (const item of res.body as Json[]) {
      const webhook = toWebhook(item);
      if (webhook) all.push(webhook);
    }
    const link = res.headers.get("link");
    if (!link || parseLinkHeader(link).next === undefined) break;
  }
  return all;
}

export type WebhookWrite = { outcome: "written"; webhook: NuvemshopWebhook } | { outcome: "refused"; reason: string };

async function write(rest: NuvemshopRest, method: "POST" | "PUT", path: string, body: Json): Promise<WebhookWrite> {
  const res = await rest.request<Json>(method, path, { body, accept: [422] });
  if (res.status === 422) {
    const reason = Object.entries(res.body ?? {})
      .map(([field, messages]) => `${field} ${Array.isArray(messages) ? messages.join(", ") : JSON.stringify(messages)}`)
      .join("; ");
    return { outcome: "refused", reason: reason.slice(0, 300) };
  }
  const webhook = res.body ? toWebhook(res.body) : null;
  if (!webhook) throw new PlatformError(`Nuvemshop answered ${method} ${path} without the webhook`, "BAD_RESPONSE", false);
  return { outcome: "written", webhook };
}

export function createWebhook(rest: NuvemshopRest, event: string, url: string): Promise<WebhookWrite> {
  return write(rest, "POST", "/webhooks", { event, url });
}

export function updateWebhookUrl(rest: NuvemshopRest, id: string, url: string): Promise<WebhookWrite> {
  return write(rest, "PUT", `/webhooks/${encodeURIComponent(id)}`, { url });
}

export async function deleteWebhook(rest: NuvemshopRest, id: string): Promise<void> {
  await rest.request("DELETE", `/webhooks/${encodeURIComponent(id)}`, { accept: [404] });
}
