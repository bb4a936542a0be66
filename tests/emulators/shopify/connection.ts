// Relay-style cursor pagination over the store's columns, the way Shopify's connections behave:
// `first`/`after` or `last`/`before`, at most 250 per page, opaque base64 cursors.

import { GraphQLError } from "graphql";
import type { Filter } from "./search.js";
import { b64, unb64 } from "./util.js";

export const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Page {
  items: number[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Shopify cursors are base64 JSON such as {"last_id":7012345678901,"last_value":"2024-01-01 10:00:00.000000"}. */
export function encodeCursor(legacyId: string, value: string): string {
  return b64(`{"last_id":${legacyId},"last_value":${JSON.stringify(value)}}`);
}

export function decodeCursor(cursor: string): string {
  let text: string;
  try {
    text = unb64(cursor);
  } catch {
    text = "";
  }
  const m = /"last_id":"?(\d+)"?/.exec(text);
  if (!m || !m[1]) throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
  return m[1];
}

export function checkPageArgs(args: PageArgs): void {
  const { first, last } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError("you must provide one of first or last");
  }
  for (const [name, v] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (v === undefined || v === null) continue;
    if (v < 0) throw new GraphQLError(`Argument '${name}' on Field must be a non-negative integer`);
    if (v > MAX_PAGE_SIZE) {
      throw new GraphQLError(`The ${name} argument must be less than or equal to ${MAX_PAGE_SIZE}`, {
        extensions: { code: "BAD_REQUEST" },
      });
    }
  }
}

interface Seq {
  length: number;
  at(k: number): number;
  /** First position strictly after index `idx` in this order. */
  after(idx: number): number;
  /** First position at or after index `idx` (exclusive end for `before`). */
  before(idx: number): number;
}

function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function clamp(v: number, n: number): number {
  return Math.max(0, Math.min(n, v));
}

/**
 * Builds the sequence of record indices to walk: natural index order (narrowed to the filter's range or
 * candidates) or a sorted permutation, optionally reversed.
 */
export function makeSeq(total: number, filter: Filter, sorted: { perm: Uint32Array; pos: Uint32Array } | null, reverse: boolean): Seq {
  if (sorted) {
    const { perm, pos } = sorted;
    const n = perm.length;
    return reverse
      ? {
          length: n,
          at: (k) => perm[n - 1 - k] ?? 0,
          after: (idx) => (idx < n ? n - (pos[idx] ?? 0) : 0),
          before: (idx) => (idx < n ? n - 1 - (pos[idx] ?? 0) : n),
        }
      : {
          length: n,
          at: (k) => perm[k] ?? 0,
          after: (idx) => (idx < n ? (pos[idx] ?? 0) + 1 : n),
          before: (idx) => (idx < n ? (pos[idx] ?? 0) : n),
        };
  }
  if (filter.candidates) {
    const c = filter.candidates.filter((i) => i < total);
    const n = c.length;
    return reverse
      ? {
          length: n,
          at: (k) => c[n - 1 - k] ?? 0,
          after: (idx) => n - lowerBound(c, idx),
          before: (idx) => n - lowerBound(c, idx + 1),
        }
      : {
          length: n,
          at: (k) => c[k] ?? 0,
          after: (idx) => lowerBound(c, idx + 1),
          before: (idx) => lowerBound(c, idx),
        };
  }
  const lo = clamp(filter.lo, total);
  const hi = Math.max(lo, clamp(filter.hi, total));
  const n = hi - lo;
  return reverse
    ? {
        length: n,
        at: (k) => hi - 1 - k,
        after: (idx) => clamp(hi - idx, n),
        before: (idx) => clamp(hi - 1 - idx, n),
      }
    : {
        length: n,
        at: (k) => lo + k,
        after: (idx) => clamp(idx + 1 - lo, n),
        before: (idx) => clamp(idx - lo, n),
      };
}

/** One page of matching indices. `cursorIndex` maps a decoded cursor id to a record index (or -1). */
export function paginate(seq: Seq, pred: ((i: number) => boolean) | null, args: PageArgs, cursorIndex: (legacyId: string) => number): Page {
  const match = pred ?? (() => true);
  const resolve = (cursor: string) => {
    const idx = cursorIndex(decodeCursor(cursor));
    if (idx < 0) throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
    return idx;
  };
  let start = 0;
  let end = seq.length;
  if (args.after) start = seq.after(resolve(args.after));
  if (args.before) end = Math.min(end, seq.before(resolve(args.before)));
  const anyMatch = (from: number, to: number, step: 1 | -1): boolean => {
    if (step === 1) {
      for (let k = from; k < to; k++) if (match(seq.at(k))) return true;
    } else {
      for (let k = from; k >= to; k--) if (match(seq.at(k))) return true;
    }
    return false;
  };
  const items: number[] = [];
  if (args.first !== undefined && args.first !== null) {
    const want = args.first;
    let k = start;
    for (; k < end && items.length <= want; k++) {
      const i = seq.at(k);
      if (match(i)) items.push(i);
    }
    let hasNextPage = items.length > want;
    if (hasNextPage) items.length = want;
    else if (args.before) hasNextPage = anyMatch(end, seq.length, 1);
    let out = items;
    let hasPreviousPage = start > 0 && anyMatch(start - 1, 0, -1);
    if (args.last !== undefined && args.last !== null && out.length > args.last) {
      out = out.slice(out.length - args.last);
      hasPreviousPage = true;
    }
    return { items: out, hasNextPage, hasPreviousPage };
  }
  const want = args.last ?? 0;
  for (let k = end - 1; k >= start && items.length <= want; k--) {
    const i = seq.at(k);
    if (match(i)) items.push(i);
  }
  const hasPreviousPage = items.length > want;
  if (hasPreviousPage) items.length = want;
  items.reverse();
  const hasNextPage = end < seq.length && anyMatch(end, seq.length, 1);
  return { items, hasNextPage, hasPreviousPage };
}

/** Simple pagination over a small in-memory array (metafields, bulk operations, definitions). */
export function paginateArray<T>(all: T[], args: PageArgs, keyOf: (t: T) => string): { items: T[]; hasNextPage: boolean; hasPreviousPage: boolean } {
  checkPageArgs(args);
  let list = args.reverse ? [...all].reverse() : all;
  let offset = 0;
  const find = (cursor: string) => {
    const id = decodeCursor(cursor);
    const k = list.findIndex((t) => keyOf(t) === id);
    if (k < 0) throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
    return k;
  };
  if (args.after) {
    offset = find(args.after) + 1;
    list = list.slice(offset);
  }
  if (args.before) list = list.slice(0, find(args.before));
  let items = list;
  let hasNextPage = false;
  let hasPreviousPage = offset > 0;
  if (args.first !== undefined && args.first !== null) {
    hasNextPage = items.length > args.first;
    items = items.slice(0, args.first);
  }
  if (args.last !== undefined && args.last !== null) {
    hasPreviousPage = hasPreviousPage || items.length > args.last;
    items = items.slice(Math.max(0, items.length - args.last));
  }
  return { items, hasNextPage, hasPreviousPage };
}
