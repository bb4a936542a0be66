// Helpers shared by the emulator's own tests.

import type { ShopifyEmulator } from "./server.js";

export const TOKEN = "shpat_emulator_token";

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: Array<string | number> }>;
    extensions?: {
      cost?: {
        requestedQueryCost: number;
        actualQueryCost: number | null;
        throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
      };
      search?: unknown;
    };
  };
}

export async function gql<T = Record<string, unknown>>(
  emu: { url: string },
  query: string,
  variables?: Record<string, unknown>,
  opts: { token?: string | null; version?: string } = {},
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers["X-Shopify-Access-Token"] = token;
  const res = await fetch(`${emu.url}/admin/api/${opts.version ?? "2026-01"}/graphql.json`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse<T>["body"] };
}

export async function control<T = Record<string, unknown>>(emu: ShopifyEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export { startReceiver, until, type Received } from "../test-receiver.js";
