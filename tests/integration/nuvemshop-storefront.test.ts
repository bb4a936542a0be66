// The Nuvemshop storefront widget's endpoints (decision 0016), against the emulator's API and a real
// database: the script and its association, the answer every visitor gets, the one-time code mailed to the
// customer's address (a mail outbox directory stands in for the mail relay), and the signed tokens —
// every unsigned, tampered, expired, other-store, other-customer or other-kind token refused with 401,
// the right balance otherwise. Runs on SQLite and PostgreSQL.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const harness = await vi.hoisted(async () => {
  const fsh = await import("node:fs");
  const osh = await import("node:os");
  const pathh = await import("node:path");
  process.env.CARRYOVER_MAIL_OUTBOX = fsh.mkdtempSync(pathh.join(osh.tmpdir(), "carryover-outbox-"));
  process.env.NUVEMSHOP_SCRIPT_ID = "7001";
  const { startNuvemshopHarness } = await import("./nuvemshop-harness");
  return startNuvemshopHarness();
});

import { idempotencyKey } from "~domain/ledger";
import prisma from "~/db.server";
import { loader as scriptLoader } from "~/routes/storefront.nuvemshop[.]js";
import { action as pointsAction, loader as pointsLoader } from "~/routes/storefront.nuvemshop.points";
import { action as codeAction } from "~/routes/storefront.nuvemshop.code";
import { action as verifyAction } from "~/routes/storefront.nuvemshop.verify";
import { action as tokenAction } from "~/routes/storefront.nuvemshop.token";
import { postEntry, withLedger } from "~/services/ledger/ledger.server";
import { generationOf } from "~/services/nuvemshop/admin-session.server";
import { recordInstall } from "~/services/shops.server";
import { ATTEMPTS_PER_CHALLENGE, CODE_RATE, requestNuvemshopCode, verifyNuvemshopCode } from "~/services/storefront/nuvemshop-storefront.server";
import { ACCESS_TTL_SECONDS, signToken, type StorefrontClaims } from "~/services/storefront/nuvemshop-tokens.server";
import { callRoute } from "../support/remix";
import { APP_SECRET, installViaOAuth } from "./nuvemshop-harness";

const { emulator, appUrl, storeId } = harness;
const STORE = String(storeId);
const OUTBOX = process.env.CARRYOVER_MAIL_OUTBOX!;

afterAll(async () => {
  await harness.close();
  fs.rmSync(OUTBOX, { recursive: true, force: true });
});

let shop: Awaited<ReturnType<typeof recordInstall>>;

beforeAll(async () => {
  const { response } = await installViaOAuth(appUrl);
  expect(response.status).toBe(302);
  shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
});

// ---- helpers ------------------------------------------------------------------------------------------

function uniqueIp(): string {
  const b = crypto.randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

const ORIGIN = "https://loja-demo.lojavirtualnuvem.com.br";

function get(pathAndQuery: string, init: { token?: string; ip?: string } = {}): Request {
  const headers: Record<string, string> = { origin: ORIGIN, "x-forwarded-for": init.ip ?? uniqueIp() };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  return new Request(`${appUrl}${pathAndQuery}`, { headers });
}

function post(pathname: string, body: unknown, ip = uniqueIp()): Request {
  return new Request(`${appUrl}${pathname}`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json", "x-forwarded-for": ip }, body: JSON.stringify(body) });
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** A new customer of the emulator's store with an e-mail address, one per test (no webhook delivered). */
async function customerWithEmail(): Promise<{ id: string; email: string }> {
  const email = `cliente.${crypto.randomBytes(5).toString("hex")}@example.com.br`;
  const res = await fetch(`${emulator.url}/_emulator/customers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Cliente Teste", email, deliver: false }),
  });
  expect(res.status).toBe(201);
  const { customer } = (await res.json()) as { customer: { id: number } };
  return { id: String(customer.id), email };
}

async function member(customerId: string | null, points: number, extra: { tier?: string; restoredAt?: Date; state?: string; shopId?: string } = {}) {
  const shopId = extra.shopId ?? shop.id;
  const row = await prisma.member.create({
    data: {
      shopId,
      platformCustomerId: customerId,
      state: extra.state ?? (customerId ? "visible" : "pending"),
      tier: extra.tier ?? null,
      restoredAt: extra.restoredAt ?? null,
      email: `m-${crypto.randomBytes(4).toString("hex")}@example.com`,
    },
  });
  if (points !== 0) {
    await withLedger((tx) => postEntry(tx, { shopId, memberId: row.id, kind: "adjust", points, idempotencyKey: idempotencyKey.adjustment(`ns-storefront-${row.id}`), sourceRef: "storefront test" }));
  }
  return row;
}

interface MailFile {
  to: string;
  subject: string;
  text: string;
}

function mailsTo(email: string): MailFile[] {
  return fs
    .readdirSync(OUTBOX)
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(OUTBOX, f), "utf8")) as MailFile)
    .filter((m) => m.to === email);
}

function codeIn(mail: MailFile): string {
  const code = /\b([A-Z2-9]{4}-[A-Z2-9]{4})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in ${mail.text}`);
  return code;
}

/** The whole flow as the widget runs it: a code mailed, typed back, the proof and access token it gives. */
async function signIn(customer: { id: string; email: string }, lang = "en") {
  const before = mailsTo(customer.email).length;
  const asked = await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: customer.id, lang }));
  expect(asked.status).toBe(200);
  const { challenge } = (await asked.json()) as { challenge: string };
  const mails = mailsTo(customer.email);
  expect(mails).toHaveLength(before + 1);
  const mail = mails.at(-1)!;
  const verified = await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: customer.id, challenge, code: codeIn(mail).toLowerCase() }));
  expect(verified.status).toBe(200);
  const tokens = (await verified.json()) as { proof: string; access: string; accessExpiresAt: string; proofExpiresAt: string };
  return { ...tokens, challenge, mail };
}

function points(customerId: string | null, token?: string, store = STORE) {
  const q = `/storefront/nuvemshop/points?store=${store}${customerId === null ? "" : `&customer=${customerId}`}`;
  return callRoute(pointsLoader, get(q, token === undefined ? {} : { token }));
}

function claims(customerId: string, overrides: Partial<StorefrontClaims> = {}): StorefrontClaims {
  const iat = Math.floor(Date.now() / 1000);
  return { sid: STORE, cid: customerId, gen: generationOf(shop), iat, exp: iat + ACCESS_TTL_SECONDS, ...overrides };
}

function tamper(token: string, part: 1 | 2): string {
  const pieces = token.split(".");
  const s = pieces[part]!;
  pieces[part] = (s[0] === "A" ? "B" : "A") + s.slice(1);
  return pieces.join(".");
}

// ---- tests --------------------------------------------------------------------------------------------

describe("the storefront script", () => {
  it("is associated with the store at install (Partner Portal script id, the app's URL as a query param), once however often the merchant signs in", async () => {
    await installViaOAuth(appUrl);
    const ours = [...emulator.store.scripts.values()].filter((s) => s.script_id === 7001);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ query_params: JSON.stringify({ api: appUrl }) });
  });

  // (The stylesheet is imported with Vite's ?raw, which vitest answers with "" for CSS: the e2e test sees it.)
  it("is served with the extension's strings in three languages and the app's URL", async () => {
    const res = await callRoute(scriptLoader, new Request(`${appUrl}/storefront/nuvemshop.js?store=${STORE}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const js = await res.text();
    expect(js).not.toContain("__CARRYOVER_CONFIG__");
    for (const text of ["Had points in our old program?", "Tinha pontos no nosso programa antigo?", "¿Tenías puntos en nuestro programa anterior?", "Send me a code", JSON.stringify(appUrl)]) {
      expect(js).toContain(text);
    }
    // The e-mail's own strings stay on the server.
    expect(js).not.toContain("If you did not ask for it");
    const etag = res.headers.get("etag")!;
    expect((await callRoute(scriptLoader, new Request(`${appUrl}/storefront/nuvemshop.js`, { headers: { "if-none-match": etag } }))).status).toBe(304);
  });
});

describe("what every visitor gets", () => {
  it("the same answer for any visitor: is there a program here, and can a signed-in customer be sent a code — no customer data", async () => {
    const before = await json(await points(null));
    expect(before).toEqual({ version: 1, view: "signed_out", signedIn: false, pendingPointsWaitForYou: true, programActive: false, verification: "email" });
    await member(null, 300); // a pending member: the program carried points over
    const res = await points(null);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ version: 1, view: "signed_out", signedIn: false, pendingPointsWaitForYou: true, programActive: true, verification: "email" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("404 for a store that is not installed; 400 for a malformed query", async () => {
    expect((await points(null, undefined, "1")).status).toBe(404);
    expect((await callRoute(pointsLoader, get("/storefront/nuvemshop/points?store=abc"))).status).toBe(400);
  });

  it("answers the CORS preflight of the widget's cross-origin requests", async () => {
    const res = await callRoute(pointsAction, new Request(`${appUrl}/storefront/nuvemshop/points?store=${STORE}`, { method: "OPTIONS", headers: { origin: ORIGIN } }));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("a signed-in customer proves the e-mail, then sees the right balance", () => {
  it("mails a code to the address Nuvemshop holds, in the widget's language; the code gives a proof and an access token; the balance is this customer's", async () => {
    const customer = await customerWithEmail();
    const other = await customerWithEmail();
    const restoredAt = new Date("2026-11-20T10:00:00.000Z");
    await member(customer.id, 1250, { tier: "Ouro", restoredAt });
    await member(other.id, 99_999, { tier: "Diamante" });

    const { access, proof, mail } = await signIn(customer, "pt-BR");
    expect(mail.subject).toBe("Seu código para Loja Demonstração");
    expect(mail.text).toContain("Ele vale por 10 minutos.");
    expect(proof.startsWith("nsp1.")).toBe(true);
    expect(access.startsWith("nsa1.")).toBe(true);

    const res = await points(customer.id, access);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ version: 1, view: "member", signedIn: true, balance: 1250, tier: "Ouro", state: "visible", restored: true, restoredAt: restoredAt.toISOString() });
    expect(res.headers.get("cache-control")).toBe("no-store");

    // A fresh access token from the proof, for the same customer.
    const renewed = await callRoute(tokenAction, post("/storefront/nuvemshop/token", { store: STORE, customer: customer.id, proof }));
    expect(renewed.status).toBe(200);
    const { access: again } = (await renewed.json()) as { access: string };
    expect(await json(await points(customer.id, again))).toMatchObject({ view: "member", balance: 1250 });
  });

  it("a linked member still pending shows the waiting note's state; a customer with no member sees none", async () => {
    const pending = await customerWithEmail();
    await member(pending.id, 480, { state: "pending" });
    const { access } = await signIn(pending);
    expect(await json(await points(pending.id, access))).toEqual({ version: 1, view: "member", signedIn: true, balance: 480, tier: null, state: "pending", restored: false, restoredAt: null });

    const nobody = await customerWithEmail();
    const tokens = await signIn(nobody);
    expect(await json(await points(nobody.id, tokens.access))).toEqual({ version: 1, view: "none", signedIn: true, balance: 0, tier: null, state: null, restored: false, restoredAt: null });
  });

  it("a customer without an e-mail address gets the same answer, no mail, and no code can ever pass", async () => {
    const created = await fetch(`${emulator.url}/_emulator/customers`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Sem Email", deliver: false }) });
    const id = String(((await created.json()) as { customer: { id: number } }).customer.id);
    const filesBefore = fs.readdirSync(OUTBOX).length;
    const asked = await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: id, lang: "en" }));
    expect(asked.status).toBe(200);
    const { challenge } = (await asked.json()) as { challenge: string };
    expect(fs.readdirSync(OUTBOX).length).toBe(filesBefore);
    const tried = await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: id, challenge, code: "ABCD-EFGH" }));
    expect(tried.status).toBe(401);
  });
});

describe("every request that is not the signed-in customer's own is refused", () => {
  it("401 without a token, with a tampered token (claims or signature), or with one signed with another secret", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 640);
    const { access } = await signIn(customer);

    for (const [label, token] of [
      ["none", undefined],
      ["empty", ""],
      ["tampered claims", tamper(access, 1)],
      ["tampered signature", tamper(access, 2)],
      ["another secret", signToken("access", claims(customer.id), "someone-elses-secret")],
      ["not a token", "nsa1.e30"],
    ] as const) {
      const res = await points(customer.id, token);
      expect(res.status, label).toBe(401);
      const body = await json(res);
      expect(body, label).toEqual({ error: "invalid_token" });
      expect(JSON.stringify(body)).not.toContain("640");
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    // The real token, changed to name another customer in its claims, no longer verifies.
    const [prefix, payload, signature] = access.split(".");
    const forged = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as StorefrontClaims;
    forged.cid = String(Number(customer.id) + 1);
    expect((await points(forged.cid, `${prefix}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${signature}`)).status).toBe(401);
  });

  it("401 for an expired access token (and the widget is told it expired, to renew it)", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 70);
    const expired = signToken("access", claims(customer.id, { iat: Math.floor(Date.now() / 1000) - 700, exp: Math.floor(Date.now() / 1000) - 100 }), APP_SECRET);
    const res = await points(customer.id, expired);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: "token_expired" });

    // Issued through the real flow ten minutes ago: expired now.
    const past = new Date(Date.now() - (ACCESS_TTL_SECONDS + 5) * 1000);
    const asked = await requestNuvemshopCode({ storeId: STORE, customerId: customer.id, locale: "en", now: past });
    expect(asked.outcome).toBe("sent");
    const code = codeIn(mailsTo(customer.email).at(-1)!);
    const verified = await verifyNuvemshopCode({ storeId: STORE, customerId: customer.id, challenge: asked.outcome === "sent" ? asked.challenge : "", code, now: past });
    expect(verified.outcome).toBe("verified");
    expect((await points(customer.id, verified.outcome === "verified" ? verified.access : "")).status).toBe(401);
  });

  it("401 for customer A's token used for customer B, whatever B's balance", async () => {
    const a = await customerWithEmail();
    const b = await customerWithEmail();
    await member(a.id, 10);
    await member(b.id, 50_000);
    const { access, proof } = await signIn(a);
    const res = await points(b.id, access);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await json(res))).not.toContain("50000");
    // Nor can A's proof be exchanged for B.
    expect((await callRoute(tokenAction, post("/storefront/nuvemshop/token", { store: STORE, customer: b.id, proof }))).status).toBe(401);
    // A token that really was signed for B's id but with A's claims otherwise changed is still refused: only the app signs.
    expect((await points(b.id, signToken("access", claims(b.id), "not-the-app-secret"))).status).toBe(401);
  });

  it("401 for a token of another store, even for the same customer id there", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 25);
    const otherStore = await recordInstall({ platform: "nuvemshop", domain: String(storeId + 1) });
    await member(customer.id, 8_888, { shopId: otherStore.id });
    const { access } = await signIn(customer);
    const there = await points(customer.id, access, otherStore.domain);
    expect(there.status).toBe(401);
    expect(JSON.stringify(await json(there))).not.toContain("8888");
    // A token the app signed for the other store is refused here.
    const forThere = signToken("access", { ...claims(customer.id), sid: otherStore.domain, gen: generationOf(otherStore) }, APP_SECRET);
    expect((await points(customer.id, forThere)).status).toBe(401);
    expect((await points(customer.id, forThere, otherStore.domain)).status).toBe(200);
  });

  it("401 for a token of another kind: a proof or a challenge is never an access token", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 5);
    const { proof, challenge, access } = await signIn(customer);
    expect((await points(customer.id, proof)).status).toBe(401);
    expect((await points(customer.id, challenge)).status).toBe(401);
    // Nor is an access token a proof.
    expect((await callRoute(tokenAction, post("/storefront/nuvemshop/token", { store: STORE, customer: customer.id, proof: access }))).status).toBe(401);
  });

  it("401 for a token of an earlier install of the same store", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 15);
    const earlier = signToken("access", claims(customer.id, { gen: generationOf(shop) - 60_000 }), APP_SECRET);
    expect((await points(customer.id, earlier)).status).toBe(401);
  });

  it("the proof: tampered, expired, or from before the customer's e-mail changed → 401; then a new code is needed", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 333);
    const { proof } = await signIn(customer);
    const exchange = (p: string) => callRoute(tokenAction, post("/storefront/nuvemshop/token", { store: STORE, customer: customer.id, proof: p }));
    expect((await exchange(tamper(proof, 1))).status).toBe(401);
    expect((await exchange(tamper(proof, 2))).status).toBe(401);
    const old = signToken("proof", claims(customer.id, { exp: Math.floor(Date.now() / 1000) - 1 }), APP_SECRET);
    const expired = await exchange(old);
    expect(expired.status).toBe(401);
    expect(await json(expired)).toEqual({ error: "token_expired" });
    expect((await exchange(proof)).status).toBe(200);

    // The customer's address changes on Nuvemshop (the snapshot follows customer/updated): the proof is void.
    await prisma.platformCustomer.upsert({
      where: { shopId_platformId: { shopId: shop.id, platformId: customer.id } },
      create: { shopId: shop.id, platformId: customer.id, email: "someone.else@example.com" },
      update: { email: "someone.else@example.com" },
    });
    expect((await exchange(proof)).status).toBe(401);
    await prisma.platformCustomer.update({ where: { shopId_platformId: { shopId: shop.id, platformId: customer.id } }, data: { email: customer.email } });
    expect((await exchange(proof)).status).toBe(200);
  });
});

describe("codes", () => {
  it("a wrong code is refused, and after five tries the challenge takes no more (even the right code)", async () => {
    const customer = await customerWithEmail();
    const asked = await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: customer.id, lang: "es" }));
    const { challenge } = (await asked.json()) as { challenge: string };
    const mail = mailsTo(customer.email).at(-1)!;
    expect(mail.subject).toBe("Tu código para Loja Demonstração");
    const code = codeIn(mail);
    const wrong = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    const verify = (c: string) => callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: customer.id, challenge, code: c }));
    for (let i = 0; i < ATTEMPTS_PER_CHALLENGE; i++) {
      const res = await verify(wrong);
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({ error: "wrong_code" });
    }
    expect((await verify(code)).status).toBe(429);
  });

  it("a challenge only verifies for its store and customer", async () => {
    const customer = await customerWithEmail();
    const other = await customerWithEmail();
    const asked = await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: customer.id }));
    const { challenge } = (await asked.json()) as { challenge: string };
    const code = codeIn(mailsTo(customer.email).at(-1)!);
    expect((await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: other.id, challenge, code }))).status).toBe(401);
    expect((await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: String(storeId + 1), customer: customer.id, challenge, code }))).status).toBe(401);
    expect((await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: customer.id, challenge: tamper(challenge, 1), code }))).status).toBe(401);
    expect((await callRoute(verifyAction, post("/storefront/nuvemshop/verify", { store: STORE, customer: customer.id, challenge, code }))).status).toBe(200);
  });

  it(`mails at most ${CODE_RATE.capacity} codes at once to one customer, and at most 5 a minute from one IP`, async () => {
    const customer = await customerWithEmail();
    const ask = (c: string, ip?: string) => callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: c }, ip));
    for (let i = 0; i < CODE_RATE.capacity; i++) expect((await ask(customer.id)).status).toBe(200);
    const limited = await ask(customer.id);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(mailsTo(customer.email)).toHaveLength(CODE_RATE.capacity);

    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await ask((await customerWithEmail()).id, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("400 for a malformed body; 404 for a store that is not installed", async () => {
    expect((await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: STORE, customer: "x" }))).status).toBe(400);
    expect((await callRoute(codeAction, new Request(`${appUrl}/storefront/nuvemshop/code`, { method: "POST", body: "not json", headers: { "x-forwarded-for": uniqueIp() } }))).status).toBe(400);
    expect((await callRoute(codeAction, post("/storefront/nuvemshop/code", { store: "1", customer: "5" }))).status).toBe(404);
  });
});

describe("uninstall", () => {
  it("ends every token of the store: after the uninstall, 401 (and 404 for visitors)", async () => {
    const customer = await customerWithEmail();
    await member(customer.id, 90);
    const { access, proof } = await signIn(customer);
    expect((await points(customer.id, access)).status).toBe(200);
    await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    try {
      expect((await points(customer.id, access)).status).toBe(401);
      expect((await callRoute(tokenAction, post("/storefront/nuvemshop/token", { store: STORE, customer: customer.id, proof }))).status).toBe(401);
      expect((await points(null)).status).toBe(404);
    } finally {
      await prisma.shop.update({ where: { id: shop.id }, data: { uninstalledAt: null } });
    }
  });
});

