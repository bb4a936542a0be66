import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, gql, until } from "./test-helpers.js";

const RUN = `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`;
const FIELDS = "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query";

interface RunResult {
  bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: Array<{ field: string[] | null; message: string; code: string }> };
}
interface Op {
  id: string;
  status: string;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  query: string;
}

async function waitDone(emu: ShopifyEmulator, id: string, version = "2026-01"): Promise<Op> {
  return until(async () => {
    const r = await gql<{ node: Op }>(emu, `query($id: ID!) { node(id: $id) { ... on BulkOperation { ${FIELDS} } } }`, { id }, { version });
    const op = r.body.data?.node;
    return op && !["CREATED", "RUNNING", "CANCELING"].includes(op.status) ? op : null;
  });
}

describe("bulk query operations", () => {
  let emu: ShopifyEmulator;
  beforeAll(async () => {
    emu = await startShopifyEmulator({ seed: 5, customers: 700, orders: 2100 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("runs a nested query to COMPLETED and writes JSONL with __parentId lines", async () => {
    const query = `{
      customers {
        edges { node { id firstName defaultEmailAddress { emailAddress }
          orders { edges { node { id name displayFinancialStatus customer { id } } } } } }
      }
    }`;
    const r = await gql<RunResult>(emu, RUN, { q: query });
    const created = r.body.data?.bulkOperationRunQuery;
    expect(created?.userErrors).toEqual([]);
    expect(created?.bulkOperation?.status).toBe("CREATED");
    expect(created?.bulkOperation?.id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);

    const op = await waitDone(emu, created?.bulkOperation?.id ?? "");
    expect(op.status).toBe("COMPLETED");
    expect(op.errorCode).toBeNull();
    expect(op.query).toBe(query);
    expect(op.completedAt).not.toBeNull();
    expect(op.url).toMatch(new RegExp(`^${emu.url}/bulk/\\d+\\.jsonl$`));

    const current = await gql<{ currentBulkOperation: Op }>(emu, `{ currentBulkOperation(type: QUERY) { ${FIELDS} } }`);
    expect(current.body.data?.currentBulkOperation).toEqual(op);

    const res = await fetch(op.url ?? "");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(String(Buffer.byteLength(text))).toBe(op.fileSize);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(String(lines.length)).toBe(op.objectCount);

    const store = emu.store;
    const roots = lines.filter((l) => !("__parentId" in l));
    const children = lines.filter((l) => "__parentId" in l);
    expect(roots.length).toBe(store.customerCount);
    expect(String(roots.length)).toBe(op.rootObjectCount);
    const totalOrdersWithCustomer = Array.from({ length: store.orderCount }, (_, j) => store.orderCustomer(j)).filter((c) => c >= 0).length;
    expect(children.length).toBe(totalOrdersWithCustomer);
    // Each child line follows its parent and names it; inline objects stay inline.
    let parent = "";
    for (const l of lines) {
      if ("__parentId" in l) {
        expect(l.__parentId).toBe(parent);
        expect((l.customer as { id: string }).id).toBe(parent);
        expect(String(l.id)).toMatch(/^gid:\/\/shopify\/Order\//);
      } else {
        parent = String(l.id);
        expect(Object.keys(l)).toEqual(["id", "firstName", "defaultEmailAddress"]);
      }
    }
  });

  it("honours the query argument of the root connection", async () => {
    const r = await gql<RunResult>(emu, RUN, { q: `{ orders(query: "status:cancelled") { edges { node { id cancelledAt cancelReason } } } }` });
    const op = await waitDone(emu, r.body.data?.bulkOperationRunQuery.bulkOperation?.id ?? "");
    const text = await (await fetch(op.url ?? "")).text();
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as { cancelledAt: string | null; cancelReason: string | null });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.cancelledAt && l.cancelReason)).toBe(true);
  });

  it("rejects invalid bulk queries with userErrors", async () => {
    const cases: Array<[string, RegExp]> = [
      ["{ shop { name } }", /^Bulk queries must contain at least one connection\.$/],
      ["{ customers { edges { node { id nope } } } }", /^Invalid bulk query: Field 'nope' doesn't exist on type 'Customer'$/],
      ["{ customers { edges { node { id ", /^Invalid bulk query: syntax error/],
    ];
    for (const [q, message] of cases) {
      const r = await gql<RunResult>(emu, RUN, { q });
      const p = r.body.data?.bulkOperationRunQuery;
      expect(p?.bulkOperation).toBeNull();
      expect(p?.userErrors[0]?.code).toBe("INVALID");
      expect(p?.userErrors[0]?.message).toMatch(message);
    }
  });

  it("allows one running bulk query per shop before API 2026-01 (OPERATION_IN_PROGRESS otherwise)", async () => {
    const q = `{ customers { edges { node { id } } } }`;
    // Paused operations stay in progress, so the second request deterministically finds the first one running.
    await control(emu, "POST", "/_emulator/bulk", { paused: true });
    const first = await gql<RunResult>(emu, RUN, { q }, { version: "2025-10" });
    const id = first.body.data?.bulkOperationRunQuery.bulkOperation?.id ?? "";
    expect(id).not.toBe("");
    const second = await gql<RunResult>(emu, RUN, { q }, { version: "2025-10" });
    expect(second.body.data?.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${id}.`, code: "OPERATION_IN_PROGRESS" }],
    });
    await control(emu, "POST", "/_emulator/bulk", { paused: false });
    await waitDone(emu, id, "2025-10");
    const third = await gql<RunResult>(emu, RUN, { q }, { version: "2025-10" });
    expect(third.body.data?.bulkOperationRunQuery.userErrors).toEqual([]);
    await waitDone(emu, third.body.data?.bulkOperationRunQuery.bulkOperation?.id ?? "", "2025-10");
  });
});

describe("bulk concurrency override", () => {
  it("allows five at once from API 2026-01, or what bulkConcurrency says", async () => {
    const emu = await startShopifyEmulator({ customers: 50, orders: 10 });
    const one = await startShopifyEmulator({ customers: 50, orders: 10, bulkConcurrency: 1 });
    try {
      const q = `{ customers { edges { node { id email } } } }`;
      await control(emu, "POST", "/_emulator/bulk", { paused: true });
      await control(one, "POST", "/_emulator/bulk", { paused: true });
      const codes: Array<string | undefined> = [];
      for (let k = 0; k < 6; k++) codes.push((await gql<RunResult>(emu, RUN, { q })).body.data?.bulkOperationRunQuery.userErrors[0]?.code);
      expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, "OPERATION_IN_PROGRESS"]);
      const a = await gql<RunResult>(one, RUN, { q });
      const b = await gql<RunResult>(one, RUN, { q });
      expect(a.body.data?.bulkOperationRunQuery.userErrors).toEqual([]);
      expect(b.body.data?.bulkOperationRunQuery.userErrors[0]?.code).toBe("OPERATION_IN_PROGRESS");
      // A paused operation can still be cancelled.
      const id = a.body.data?.bulkOperationRunQuery.bulkOperation?.id ?? "";
      const c = await gql<{ bulkOperationCancel: { bulkOperation: { status: string }; userErrors: unknown[] } }>(
        one,
        `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }`,
        { id },
      );
      expect(c.body.data?.bulkOperationCancel).toEqual({ bulkOperation: { status: "CANCELING" }, userErrors: [] });
      expect((await waitDone(one, id)).status).toBe("CANCELED");
    } finally {
      await one.close();
      await emu.close();
    }
  });
});
