import type { NuvemshopRest } from "../../platforms/nuvemshop/nuvemshop-rest.server";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhookUrl } from "../../platforms/nuvemshop/nuvemshop-store.server";

/** What Carryover acts on: registered through the API at every install. */
export const NUVEMSHOP_SUBSCRIBED_EVENTS = ["customer/created", "customer/updated", "order/paid", "order/cancelled", "app/uninstalled"] as const;
/**
 * LGPD events. Nuvemshop's docs show their URLs set in the app's Partner Portal page; Carryover also
 * registers them through the API, and a store that refuses them there (422) does not fail the install.
 */
export const NUVEMSHOP_LGPD_EVENTS = ["store/redact", "customers/redact", "customers/data_request"] as const;

export interface SubscriptionSummary {
  created: string[];
  updated: string[];
  kept: string[];
  removed: number;
  /** LGPD events the API would not take (set in the Partner Portal instead). */
  refusedLgpd: Array<{ event: string; reason: string }>;
}

export class SubscriptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubscriptionError";
  }
}

/**
 * Exactly one subscription per event, at `url`, however many times it runs (a re-install, a retried
 * callback): an existing one at that URL is kept, one of this app's at another URL (an older app URL)
 * is moved, extra copies are deleted, a missing one is created. `GET /webhooks` lists this app's
 * subscriptions only, so nothing of another app is touched.
 */
export async function ensureWebhookSubscriptions(rest: NuvemshopRest, url: string): Promise<SubscriptionSummary> {
  const summary: SubscriptionSummary = { created: [], updated: [], kept: [], removed: 0, refusedLgpd: [] };
  const existing = await listWebhooks(rest);
  for (const event of [...NUVEMSHOP_SUBSCRIBED_EVENTS, ...NUVEMSHOP_LGPD_EVENTS]) {
    const mine = existing.filter((w) => w.event === event);
    const keep = mine.find((w) => w.url === url) ?? mine[0];
    for (const extra of mine) {
      if (extra === keep) continue;
      await deleteWebhook(rest, extra.id);
      summary.removed += 1;
    }
    if (keep && keep.url === url) {
      summary.kept.push(event);
      continue;
    }
    const written = keep ? await updateWebhookUrl(rest, keep.id, url) : await createWebhook(rest, event, url);
    if (written.outcome === "written") {
      (keep ? summary.updated : summary.created).push(event);
    } else if ((NUVEMSHOP_LGPD_EVENTS as readonly string[]).includes(event)) {
      summary.refusedLgpd.push({ event, reason: written.reason });
    } else {
      throw new SubscriptionError(`Nuvemshop refused the ${event} webhook at ${url}: ${written.reason}`);
    }
  }
  return summary;
}
