import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";

// The mail relay transport (decision 0016) against a local HTTP server standing for the relay.
const received: Array<{ authorization: string | undefined; body: unknown }> = [];
let status = 202;
const relay = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
    res.writeHead(status).end();
  });
});
await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
Object.assign(process.env, {
  SHOPIFY_API_KEY: "unit",
  SHOPIFY_API_SECRET: "unit-test-secret-0123456789",
  SHOPIFY_APP_URL: "http://127.0.0.1:3999",
  CARRYOVER_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
  CARRYOVER_MAIL_RELAY_URL: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/send`,
  CARRYOVER_MAIL_RELAY_TOKEN: "relay-token",
  CARRYOVER_MAIL_FROM: "Loja <no-reply@loja.example>",
});
const { mailConfigured, sendMail } = await import("./nuvemshop-mail.server");

afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())));

describe("mail relay", () => {
  it("posts {from, to, subject, text} with the bearer token", async () => {
    expect(mailConfigured()).toBe(true);
    expect(await sendMail({ to: "ana@example.com", subject: "Seu código", text: "ABCD-EFGH" })).toEqual({ outcome: "sent" });
    expect(received.at(-1)).toEqual({ authorization: "Bearer relay-token", body: { from: "Loja <no-reply@loja.example>", to: "ana@example.com", subject: "Seu código", text: "ABCD-EFGH" } });
  });

  it("says it failed when the relay refuses", async () => {
    status = 500;
    expect(await sendMail({ to: "ana@example.com", subject: "x", text: "y" })).toEqual({ outcome: "failed", reason: "the mail relay answered 500" });
  });
});
