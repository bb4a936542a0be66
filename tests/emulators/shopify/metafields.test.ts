import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, gql } from "./test-helpers.js";

const SET = `mutation($m: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $m) {
    metafields { id namespace key value type ownerType createdAt updatedAt compareDigest }
    userErrors { field message code elementIndex }
  }
}`;

interface SetResult {
  metafieldsSet: {
    metafields: Array<{ id: string; namespace: string; key: string; value: string; type: string; ownerType: string; compareDigest: string }> | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string; elementIndex: number | null }>;
  };
}

describe("metafields", () => {
  let emu: ShopifyEmulator;
  let owner: string;
  let other: string;
  beforeAll(async () => {
    emu = await startShopifyEmulator({ customers: 60, orders: 100, appId: "347082227713", throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
    owner = `gid://shopify/Customer/${emu.store.customerLegacyId(3)}`;
    other = `gid://shopify/Customer/${emu.store.customerLegacyId(4)}`;
  });
  afterAll(async () => {
    await emu.close();
  });

  it("creates then updates app-owned metafields, resolving $app to app--{appId}", async () => {
    const r = await gql<SetResult>(emu, SET, {
      m: [
        { ownerId: owner, namespace: "$app", key: "points_balance", type: "number_integer", value: "1250" },
        { ownerId: owner, namespace: "$app", key: "tier", type: "single_line_text_field", value: "Ouro" },
        { ownerId: owner, namespace: "$app", key: "restored_at", type: "date_time", value: "2026-11-01T12:00:00Z" },
        { ownerId: owner, namespace: "$app", key: "history", type: "json", value: '{"rows": [1, 2]}' },
      ],
    });
    const p = r.body.data?.metafieldsSet;
    expect(p?.userErrors).toEqual([]);
    expect(p?.metafields?.map((m) => [m.namespace, m.key, m.value, m.ownerType])).toEqual([
      ["app--347082227713", "points_balance", "1250", "CUSTOMER"],
      ["app--347082227713", "tier", "Ouro", "CUSTOMER"],
      ["app--347082227713", "restored_at", "2026-11-01T12:00:00Z", "CUSTOMER"],
      ["app--347082227713", "history", '{"rows":[1,2]}', "CUSTOMER"],
    ]);
    const id = p?.metafields?.[0]?.id;

    const again = await gql<SetResult>(emu, SET, { m: [{ ownerId: owner, namespace: "$app", key: "points_balance", type: "number_integer", value: "1300" }] });
    expect(again.body.data?.metafieldsSet.metafields?.[0]).toMatchObject({ id, value: "1300" });

    const read = await gql<{ customer: { a: { value: string }; b: { value: string }; metafields: { nodes: Array<{ key: string }> } } }>(
      emu,
      `query($id: ID!) { customer(id: $id) { a: metafield(namespace: "$app", key: "points_balance") { value } b: metafield(namespace: "app--347082227713", key: "tier") { value } metafields(first: 10, namespace: "$app") { nodes { key } } } }`,
      { id: owner },
    );
    expect(read.body.data?.customer.a.value).toBe("1300");
    expect(read.body.data?.customer.b.value).toBe("Ouro");
    expect(read.body.data?.customer.metafields.nodes.map((n) => n.key)).toEqual(["points_balance", "tier", "restored_at", "history"]);

    const inspected = await control<{ metafields: Array<{ key: string; value: string; namespace: string }> }>(emu, "GET", `/_emulator/metafields?ownerId=${encodeURIComponent(owner)}`);
    expect(inspected.body.metafields.find((m) => m.key === "points_balance")).toMatchObject({ namespace: "app--347082227713", value: "1300" });
  });

  it("rejects more than 25 metafields per call", async () => {
    const m = Array.from({ length: 26 }, (_, k) => ({ ownerId: other, namespace: "$app", key: `k${k}`, type: "number_integer", value: String(k) }));
    const r = await gql<SetResult>(emu, SET, { m });
    expect(r.body.data?.metafieldsSet).toEqual({
      metafields: null,
      userErrors: [{ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null }],
    });
    const inspected = await control<{ metafields: unknown[] }>(emu, "GET", `/_emulator/metafields?ownerId=${encodeURIComponent(other)}`);
    expect(inspected.body.metafields).toEqual([]);
    const ok = await gql<SetResult>(emu, SET, { m: m.slice(0, 25) });
    expect(ok.body.data?.metafieldsSet.userErrors).toEqual([]);
    expect(ok.body.data?.metafieldsSet.metafields).toHaveLength(25);
  });

  it("validates types, values and owners with userErrors, atomically", async () => {
    const r = await gql<SetResult>(emu, SET, {
      m: [
        { ownerId: other, namespace: "$app", key: "fine", type: "number_integer", value: "10" },
        { ownerId: other, namespace: "$app", key: "points", type: "integer_number", value: "10" },
        { ownerId: other, namespace: "$app", key: "points", type: "number_integer", value: "12.5" },
        { ownerId: "gid://shopify/Customer/1", namespace: "$app", key: "points", type: "number_integer", value: "1" },
        { ownerId: other, namespace: "$app", key: "when", type: "date_time", value: "yesterday" },
        { ownerId: other, namespace: "$app", key: "points" , value: "1" },
        { ownerId: other, namespace: "app--999", key: "points", type: "number_integer", value: "1" },
      ],
    });
    const p = r.body.data?.metafieldsSet;
    expect(p?.metafields).toEqual([]);
    expect(p?.userErrors).toEqual([
      { field: ["metafields", "1", "type"], message: "Type 'integer_number' is not a valid metafield type.", code: "INVALID_TYPE", elementIndex: null },
      { field: ["metafields", "2", "value"], message: "Value must be an integer.", code: "INVALID_VALUE", elementIndex: null },
      { field: ["metafields", "3", "ownerId"], message: "Owner does not exist.", code: "INVALID", elementIndex: null },
      { field: ["metafields", "4", "value"], message: "Value must be in YYYY-MM-DDTHH:MM:SS format.", code: "INVALID_VALUE", elementIndex: null },
      { field: ["metafields", "5", "type"], message: "Type can't be blank", code: "BLANK", elementIndex: null },
      {
        field: ["metafields", "6"],
        message: "Access to this namespace and key on Metafields for this resource type is not allowed.",
        code: "APP_NOT_AUTHORIZED",
        elementIndex: null,
      },
    ]);
    // Nothing was written, not even the valid first input.
    const read = await gql<{ customer: { metafield: null } }>(emu, `query($id: ID!) { customer(id: $id) { metafield(namespace: "$app", key: "fine") { value } } }`, { id: other });
    expect(read.body.data?.customer.metafield).toBeNull();
  });

  it("supports compareDigest (compare-and-set)", async () => {
    const created = await gql<SetResult>(emu, SET, { m: [{ ownerId: other, namespace: "$app", key: "cas", type: "number_integer", value: "1", compareDigest: null }] });
    const digest = created.body.data?.metafieldsSet.metafields?.[0]?.compareDigest;
    expect(digest).toBeTruthy();
    const stale = await gql<SetResult>(emu, SET, { m: [{ ownerId: other, namespace: "$app", key: "cas", type: "number_integer", value: "2", compareDigest: null }] });
    expect(stale.body.data?.metafieldsSet.userErrors[0]?.code).toBe("STALE_OBJECT");
    const ok = await gql<SetResult>(emu, SET, { m: [{ ownerId: other, namespace: "$app", key: "cas", type: "number_integer", value: "2", compareDigest: digest }] });
    expect(ok.body.data?.metafieldsSet.userErrors).toEqual([]);
    expect(ok.body.data?.metafieldsSet.metafields?.[0]?.value).toBe("2");
  });

  it("creates metafield definitions shaped like Shopify's, and uses their type", async () => {
    const CREATE = `mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) {
      createdDefinition { id name namespace key type { name category } ownerType access { admin storefront customerAccount } }
      userErrors { field message code } } }`;
    const d = { name: "Loyalty points", namespace: "$app", key: "points", type: "number_integer", ownerType: "CUSTOMER", access: { storefront: "PUBLIC_READ" } };
    const r = await gql<{ metafieldDefinitionCreate: { createdDefinition: Record<string, unknown>; userErrors: unknown[] } }>(emu, CREATE, { d });
    expect(r.body.data?.metafieldDefinitionCreate.userErrors).toEqual([]);
    expect(r.body.data?.metafieldDefinitionCreate.createdDefinition).toMatchObject({
      id: expect.stringMatching(/^gid:\/\/shopify\/MetafieldDefinition\/\d+$/),
      namespace: "app--347082227713",
      key: "points",
      type: { name: "number_integer", category: "NUMBER" },
      ownerType: "CUSTOMER",
      access: { admin: "MERCHANT_READ", storefront: "PUBLIC_READ", customerAccount: "NONE" },
    });
    const dup = await gql<{ metafieldDefinitionCreate: { createdDefinition: null; userErrors: Array<{ code: string }> } }>(emu, CREATE, { d });
    expect(dup.body.data?.metafieldDefinitionCreate.createdDefinition).toBeNull();
    expect(dup.body.data?.metafieldDefinitionCreate.userErrors[0]?.code).toBe("TAKEN");

    // With a definition, type may be omitted; a different type is rejected.
    const noType = await gql<SetResult>(emu, SET, { m: [{ ownerId: owner, namespace: "$app", key: "points", value: "7" }] });
    expect(noType.body.data?.metafieldsSet.metafields?.[0]).toMatchObject({ type: "number_integer", value: "7" });
    const wrong = await gql<SetResult>(emu, SET, { m: [{ ownerId: owner, namespace: "$app", key: "points", type: "single_line_text_field", value: "7" }] });
    expect(wrong.body.data?.metafieldsSet.userErrors[0]?.code).toBe("INVALID_TYPE");
  });

  it("deletes metafields", async () => {
    const r = await gql<{ metafieldsDelete: { deletedMetafields: Array<{ key: string } | null>; userErrors: unknown[] } }>(
      emu,
      `mutation($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) { deletedMetafields { ownerId namespace key } userErrors { field message } } }`,
      { m: [{ ownerId: owner, namespace: "$app", key: "tier" }, { ownerId: owner, namespace: "$app", key: "nothing" }] },
    );
    expect(r.body.data?.metafieldsDelete.deletedMetafields).toEqual([{ ownerId: owner, namespace: "app--347082227713", key: "tier" }, null]);
  });
});
