// The webhook routes check Shopify's signature themselves (app/services/webhooks/shopify-verify.server.ts,
// decision 0020) instead of through shopify-app-remix's authenticate.webhook, which also loads the shop's
// offline session on every delivery. This holds the two to the same verdict on the same requests:
// random bodies (empty ones too), correct, altered, foreign and random signatures, and required headers
// dropped at random — the same status when refused, the same topic, shop and ids when accepted.
import crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyShopifyWebhook } from "~/services/webhooks/shopify-verify.server";
import { authenticate } from "~/shopify.server";
import { TEST_API_SECRET } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";

type Verdict = { status: number } | { topic: string; shop: string; webhookId: string; eventId: string | null; apiVersion: string };

async function verdict(fn: () => Promise<{ topic: string; shop: string; webhookId: string; eventId?: string | null; apiVersion: string }>): Promise<Verdict> {
  try {
    const w = await fn();
    return { topic: w.topic, shop: w.shop, webhookId: w.webhookId, eventId: w.eventId ?? null, apiVersion: w.apiVersion };
  } catch (error) {
    if (error instanceof Response) return { status: error.status };
    throw error;
  }
}

const sign = (raw: string, secret = TEST_API_SECRET) => crypto.createHmac("sha256", secret).update(raw, "utf8").digest("base64");
const HEADERS = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id", "x-shopify-event-id"] as const;

describe("Shopify webhook verification", () => {
  it("gives authenticate.webhook's verdict on every request", async () => {
    const shop = uniqueShop("verify");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(""), fc.string({ maxLength: 120 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))),
        fc.constantFrom("right", "altered", "foreign", "random", "missing"),
        fc.subarray([...HEADERS]),
        fc.constantFrom("customers/create", "orders/paid", "app/uninstalled", "shop.redact"),
        fc.constantFrom("POST", "PUT"),
        async (raw, signature, dropped, topic, method) => {
          const hmac =
            signature === "right"
              ? sign(raw)
              : signature === "altered"
                ? sign(`${raw} `)
                : signature === "foreign"
                  ? sign(raw, "another-apps-secret-0123456789")
                  : signature === "random"
                    ? crypto.randomBytes(32).toString("base64")
                    : null;
          const make = () => {
            const headers = new Headers({ "content-type": "application/json" });
            const values: Record<(typeof HEADERS)[number], string> = {
              "x-shopify-topic": topic,
              "x-shopify-shop-domain": shop,
              "x-shopify-api-version": "2026-01",
              "x-shopify-webhook-id": "wh-1",
              "x-shopify-event-id": "ev-1",
            };
            for (const name of HEADERS) if (!dropped.includes(name)) headers.set(name, values[name]);
            if (hmac !== null) headers.set("x-shopify-hmac-sha256", hmac);
            return new Request("http://127.0.0.1:3999/webhooks/x", { method, headers, body: raw });
          };
          const mine = await verdict(() => verifyShopifyWebhook(make()));
          const library = await verdict(async () => {
            // Without the HMAC header the route refuses before asking the library (401, decision 0004).
            if (hmac === null) throw new Response(null, { status: 401 });
            try {
              return await authenticate.webhook(make());
            } catch (error) {
              if (!(error instanceof SyntaxError)) throw error;
              // The library JSON.parses an accepted body; the route parses it afterwards (400 when it is not JSON).
              const h = make().headers;
              return { topic: topic.toUpperCase().replace(/\/|\./g, "_"), shop: h.get("x-shopify-shop-domain")!, webhookId: h.get("x-shopify-webhook-id")!, eventId: h.get("x-shopify-event-id"), apiVersion: h.get("x-shopify-api-version")! };
            }
          });
          expect(mine).toEqual(library);
        },
      ),
      { numRuns: 300 },
    );
  });
});
