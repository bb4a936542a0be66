// Helpers shared by the emulator's own tests.

import { DEFAULT_ACCESS_TOKEN, type NuvemshopEmulator } from "./server.js";

export const TOKEN = DEFAULT_ACCESS_TOKEN;
export const UA = "Carryover tests (dev@carryover.test)";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls `/v1/{store_id}{path}` with Nuvemshop's headers (override or drop them with null). */
export async function api<T = unknown>(
  emu: { url: string; store: { options: { storeId: number } } },
  path: string,
  opts: { method?: string; body?: unknown; token?: string | null; userAgent?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authentication = `bearer ${token}`;
  const ua = opts.userAgent === undefined ? UA : opts.userAgent;
  // fetch (undici) adds its own User-Agent when none is given; an empty one is "missing" to the emulator.
  headers["User-Agent"] = ua ?? "";
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const url = path.startsWith("http") ? path : `${emu.url}/v1/${emu.store.options.storeId}${path}`;
  const res = await fetch(url, {
    method: opts.method ?? "GET",
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

export async function control<T = Record<string, unknown>>(emu: NuvemshopEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Parses a Link header into { next: url, last: url, ... }. */
export function parseLink(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part.trim());
    if (m && m[1] && m[2]) out[m[2]] = m[1];
  }
  return out;
}

export { startReceiver, until, type Received } from "../test-receiver.js";
