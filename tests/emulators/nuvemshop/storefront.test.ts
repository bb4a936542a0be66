// The emulator's Partner Portal scripts and its storefront page (what the Nuvemshop storefront script of
// decision 0016 runs in): associations by script id, the documented `LS` object, the script tags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "./server.js";
import { parseArgs } from "./cli.js";
import { api } from "./test-helpers.js";

let emu: NuvemshopEmulator;

beforeAll(async () => {
  emu = await startNuvemshopEmulator({ customers: 10, orders: 10, partnerScripts: { "7001": "http://127.0.0.1:9/storefront/nuvemshop.js" } });
});
afterAll(async () => {
  await emu.close();
});

async function page(query: string): Promise<{ status: number; html: string }> {
  const res = await fetch(`${emu.url}/_emulator/storefront${query}`);
  return { status: res.status, html: await res.text() };
}

function lsOf(html: string): Record<string, unknown> {
  const json = /<script>var LS = (.*);<\/script>/.exec(html)?.[1];
  if (!json) throw new Error("no LS in the page");
  return JSON.parse(json) as Record<string, unknown>;
}

describe("Partner Portal scripts", () => {
  it("associates a registered script by id with its query params, and refuses an id the Partner Portal does not have", async () => {
    const ok = await api<{ id: number; script_id: number; query_params: string }>(emu, "/scripts", { method: "POST", body: { script_id: 7001, query_params: '{"api":"http://127.0.0.1:9"}' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ script_id: 7001, query_params: '{"api":"http://127.0.0.1:9"}' });
    const unknown = await api<Record<string, string[]>>(emu, "/scripts", { method: "POST", body: { script_id: 7002 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ script_id: ["does not exist"] });
    const notJson = await api<Record<string, string[]>>(emu, "/scripts", { method: "POST", body: { script_id: 7001, query_params: "api=x" } });
    expect(notJson.status).toBe(422);
    expect(notJson.body).toEqual({ query_params: ["must be a JSON object in a string"] });
    expect((await api(emu, `/scripts/${ok.body.id}`, { method: "DELETE" })).status).toBe(200);
  });
});

describe("storefront page", () => {
  it("gives scripts LS with the store, the language and the signed-in customer, and loads the associated scripts with store and query params", async () => {
    const assoc = await api<{ id: number }>(emu, "/scripts", { method: "POST", body: { script_id: 7001, query_params: '{"api":"http://127.0.0.1:9"}' } });
    const customerId = emu.store.customerId(3);
    const signedIn = await page(`?customer=${customerId}&lang=es_AR`);
    expect(signedIn.status).toBe(200);
    const ls = lsOf(signedIn.html);
    expect(ls).toMatchObject({ store: { id: emu.store.options.storeId }, lang: "es_AR", customer: customerId, country: "BR" });
    expect(signedIn.html).toContain('<html lang="es-AR">');
    expect(signedIn.html).toContain(`<script type="text/javascript" src="http://127.0.0.1:9/storefront/nuvemshop.js?store=${emu.store.options.storeId}&amp;api=http%3A%2F%2F127.0.0.1%3A9"></script>`);

    const visitor = await page("");
    expect(lsOf(visitor.html)).toMatchObject({ customer: null, lang: "pt_BR" });
    expect((await page("?customer=1")).status).toBe(404);

    await api(emu, `/scripts/${assoc.body.id}`, { method: "DELETE" });
    expect((await page("")).html).not.toContain("nuvemshop.js");
  });

  it("loads a script registered the older way (src, where=store) but not a checkout-only one", async () => {
    await api(emu, "/scripts", { method: "POST", body: { src: "https://cdn.example/store.js", event: "onload", where: "store" } });
    await api(emu, "/scripts", { method: "POST", body: { src: "https://cdn.example/checkout.js", event: "onload", where: "checkout" } });
    const { html } = await page("");
    expect(html).toContain(`src="https://cdn.example/store.js?store=${emu.store.options.storeId}"`);
    expect(html).not.toContain("checkout.js");
  });
});

describe("cli", () => {
  it("reads --partner-script id=url pairs", () => {
    expect(parseArgs(["--partner-script", "7001=http://a/x.js,7002=https://b/y.js"], {}).partnerScripts).toEqual({ "7001": "http://a/x.js", "7002": "https://b/y.js" });
    expect(() => parseArgs(["--partner-script", "x=http://a"], {})).toThrow(/id=url/);
  });
});
