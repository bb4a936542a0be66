// The limit of bench/webhooks-load.bench.ts: a bare node:http server that does what the webhook
// route must do and nothing else — read the body, check the base64 HMAC-SHA256 of it (constant
// time), parse it, and write the same three rows with the driver in one transaction (the shop if
// missing, the delivery, the job; each INSERT … ON CONFLICT DO NOTHING) — then answer 200. No
// Express, no Remix, no Prisma. Its rows use platform "bench-limit" and kind "bench.limit", which
// no worker claims; the bench deletes them afterwards.
//
//   DATABASE_URL=… SECRET=… PORT=… node bench/webhooks-load-limit.mjs
import crypto from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const url = process.env.DATABASE_URL;
const secret = process.env.SECRET;
const port = Number(process.env.PORT);
const now = () => new Date();

/** (shopDomain, webhookId, eventId, payloadJson) → "inserted" | "duplicate" */
let write;
if (/^postgres(ql)?:\/\//.test(url)) {
  const pg = require("pg");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => undefined);
  write = async (shop, webhookId, eventId, payload) => {
    const client = await pool.connect();
    try {
      const t = now();
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO "Shop" ("id","platform","domain","installedAt","createdAt","updatedAt") VALUES ($1,'bench-limit',$2,$3,$3,$3) ON CONFLICT ("platform","domain") DO NOTHING`,
        [crypto.randomUUID(), shop, t],
      );
      const d = await client.query(
        `INSERT INTO "WebhookDelivery" ("id","platform","webhookId","eventId","topic","shopDomain","status","receivedAt","processedAt") VALUES ($1,'bench-limit',$2,$3,'CUSTOMERS_CREATE',$4,'processed',$5,$5) ON CONFLICT ("platform","webhookId") DO NOTHING`,
        [crypto.randomUUID(), webhookId, eventId, shop, t],
      );
      await client.query(
        `INSERT INTO "Job" ("id","shopId","kind","payloadJson","dedupeKey","runAfter","createdAt","updatedAt") VALUES ($1,(SELECT "id" FROM "Shop" WHERE "platform"='bench-limit' AND "domain"=$2),'bench.limit',$3,$4,$5,$5,$5) ON CONFLICT ("dedupeKey") DO NOTHING`,
        [crypto.randomUUID(), shop, payload, `bench-limit:${webhookId}`, t],
      );
      await client.query("COMMIT");
      return d.rowCount === 1 ? "inserted" : "duplicate";
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
} else {
  const Database = require("better-sqlite3");
  // The app's settings: WAL (a property of the file, set at deploy), synchronous left at FULL.
  const db = new Database(url.slice("file:".length), { timeout: 15_000 });
  const iso = (d) => d.toISOString().replace("Z", "+00:00");
  const shopInsert = db.prepare(
    `INSERT INTO "Shop" ("id","platform","domain","installedAt","createdAt","updatedAt") VALUES (?,'bench-limit',?,?,?,?) ON CONFLICT ("platform","domain") DO NOTHING`,
  );
  const deliveryInsert = db.prepare(
    `INSERT INTO "WebhookDelivery" ("id","platform","webhookId","eventId","topic","shopDomain","status","receivedAt","processedAt") VALUES (?,'bench-limit',?,?,'CUSTOMERS_CREATE',?,'processed',?,?) ON CONFLICT ("platform","webhookId") DO NOTHING`,
  );
  const jobInsert = db.prepare(
    `INSERT INTO "Job" ("id","shopId","kind","payloadJson","dedupeKey","runAfter","createdAt","updatedAt") VALUES (?,(SELECT "id" FROM "Shop" WHERE "platform"='bench-limit' AND "domain"=?),'bench.limit',?,?,?,?,?) ON CONFLICT ("dedupeKey") DO NOTHING`,
  );
  const tx = db.transaction((shop, webhookId, eventId, payload) => {
    const t = iso(now());
    shopInsert.run(crypto.randomUUID(), shop, t, t, t);
    const d = deliveryInsert.run(crypto.randomUUID(), webhookId, eventId, shop, t, t);
    jobInsert.run(crypto.randomUUID(), shop, payload, `bench-limit:${webhookId}`, t, t, t);
    return d.changes === 1 ? "inserted" : "duplicate";
  });
  write = async (...args) => tx.immediate(...args);
}

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "utf8");
      const expected = Buffer.from(crypto.createHmac("sha256", secret).update(body).digest("base64"), "latin1");
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return answer(res, 401, { error: "hmac" });
      const webhookId = req.headers["x-shopify-webhook-id"];
      const shop = req.headers["x-shopify-shop-domain"];
      if (!webhookId || !shop) return answer(res, 400, { error: "headers" });
      const payload = JSON.parse(body.toString("utf8"));
      const outcome = await write(String(shop), String(webhookId), String(req.headers["x-shopify-event-id"] ?? ""), JSON.stringify({ customerId: payload.admin_graphql_api_id }));
      answer(res, 200, { outcome });
    } catch (error) {
      answer(res, 500, { error: String(error) });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.log(`limit server listening on ${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
