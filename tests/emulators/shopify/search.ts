// Shopify API search syntax (the `query:` argument of customers, orders, customersCount, ...).
// https://shopify.dev/docs/api/usage/search-syntax
//
// Supported: `field:value`, comparators `:>` `:>=` `:<` `:<=`, quoted values ('...' or "..."),
// `*` wildcards, implicit AND between terms, explicit AND / OR / NOT, `-field:value`, parentheses,
// and bare words (a case-insensitive search over names and emails). Unknown fields are ignored and
// reported as warnings in `extensions.search`, like Shopify does.

import type { EmulatedStore } from "./store.js";
import { stripAccents, tzOffsetMinutes } from "./util.js";

export type Pred = (i: number) => boolean;

export interface Filter {
  /** Complete predicate (null = everything matches). */
  pred: Pred | null;
  /** Accelerators, valid only in natural (index) order: the matches all lie in [lo, hi) ... */
  lo: number;
  hi: number;
  /** ... and, when set, among these sorted indices. */
  candidates: number[] | null;
}

export interface SearchWarning {
  field: string;
  message: string;
}

type Ast =
  | { kind: "and"; items: Ast[] }
  | { kind: "or"; items: Ast[] }
  | { kind: "not"; item: Ast }
  | { kind: "term"; field: string | null; op: Op; value: string };

type Op = "=" | ">" | ">=" | "<" | "<=";

function tokenize(q: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (const ch of q) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = "";
    } else if ((ch === "(" || ch === ")") && (ch === ")" || cur === "" || cur === "-")) {
      if (ch === "(" && cur === "-") {
        out.push("NOT");
        cur = "";
      } else if (cur) {
        out.push(cur);
        cur = "";
      }
      out.push(ch);
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v.replace(/^['"]|['"]$/g, "");
}

function parseTerm(tok: string): Ast {
  let neg = false;
  if (tok.startsWith("-") && tok.length > 1) {
    neg = true;
    tok = tok.slice(1);
  }
  const m = /^([A-Za-z_][A-Za-z0-9_.]*):(.*)$/s.exec(tok);
  let term: Ast;
  if (m && m[1] !== undefined && m[2] !== undefined) {
    const rest = m[2];
    const om = /^(>=|<=|>|<|=)?(.*)$/s.exec(rest);
    const op = (om?.[1] ?? "=") as Op;
    term = { kind: "term", field: m[1].toLowerCase(), op, value: unquote(om?.[2] ?? "") };
  } else {
    term = { kind: "term", field: null, op: "=", value: unquote(tok) };
  }
  return neg ? { kind: "not", item: term } : term;
}

export function parseSearch(q: string): Ast | null {
  const toks = tokenize(q);
  let pos = 0;
  const peek = () => toks[pos];
  function parseOr(): Ast | null {
    const items: Ast[] = [];
    const first = parseAnd();
    if (first) items.push(first);
    while (peek() === "OR") {
      pos++;
      const next = parseAnd();
      if (next) items.push(next);
    }
    if (!items.length) return null;
    return items.length === 1 ? (items[0] ?? null) : { kind: "or", items };
  }
  function parseAnd(): Ast | null {
    const items: Ast[] = [];
    for (;;) {
      const t = peek();
      if (t === undefined || t === ")" || t === "OR") break;
      if (t === "AND") {
        pos++;
        continue;
      }
      const u = parseUnary();
      if (u) items.push(u);
    }
    if (!items.length) return null;
    return items.length === 1 ? (items[0] ?? null) : { kind: "and", items };
  }
  function parseUnary(): Ast | null {
    const t = peek();
    if (t === "NOT") {
      pos++;
      const inner = parseUnary();
      return inner ? { kind: "not", item: inner } : null;
    }
    if (t === "(") {
      pos++;
      const inner = parseOr();
      if (peek() === ")") pos++;
      return inner;
    }
    pos++;
    return t === undefined ? null : parseTerm(t);
  }
  const ast = parseOr();
  return ast;
}

// ---------------------------------------------------------------------------------------------
// value helpers

/** A time value as the half-open span of seconds it designates: a date is a whole day in the shop's zone. */
export function parseTimeSpan(value: string, timeZone: string): [number, number] | null {
  const v = value.trim();
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (d) {
    const utcMidnight = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    const off = tzOffsetMinutes(timeZone, utcMidnight + 12 * 3600_000);
    const from = Math.floor((utcMidnight - off * 60000) / 1000);
    return [from, from + 86400];
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) {
    // No zone given: the shop's zone.
    const asUtc = Date.parse(`${v}Z`);
    if (Number.isNaN(asUtc)) return null;
    const off = tzOffsetMinutes(timeZone, asUtc);
    const from = Math.floor((asUtc - off * 60000) / 1000);
    return [from, from + 1];
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  const from = Math.floor(t / 1000);
  return [from, from + 1];
}

function timePred(get: (i: number) => number, op: Op, span: [number, number]): Pred {
  const [from, to] = span;
  switch (op) {
    case ">":
      return (i) => get(i) >= to;
    case ">=":
      return (i) => get(i) >= from;
    case "<":
      return (i) => get(i) < from;
    case "<=":
      return (i) => get(i) < to;
    default:
      return (i) => {
        const x = get(i);
        return x >= from && x < to;
      };
  }
}

/** For a non-decreasing column, the index range matching a time comparison. */
function monotonicRange(col: ArrayLike<number>, n: number, op: Op, span: [number, number]): [number, number] {
  const lb = (x: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((col[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const [from, to] = span;
  switch (op) {
    case ">":
      return [lb(to), n];
    case ">=":
      return [lb(from), n];
    case "<":
      return [0, lb(from)];
    case "<=":
      return [0, lb(to)];
    default:
      return [lb(from), lb(to)];
  }
}

function numPred(get: (i: number) => number, op: Op, x: number): Pred {
  switch (op) {
    case ">":
      return (i) => get(i) > x;
    case ">=":
      return (i) => get(i) >= x;
    case "<":
      return (i) => get(i) < x;
    case "<=":
      return (i) => get(i) <= x;
    default:
      return (i) => get(i) === x;
  }
}

function fold(s: string): string {
  return stripAccents(s).toLowerCase().trim();
}

function textMatcher(value: string): (s: string | null) => boolean {
  const v = fold(value);
  if (v === "*") return (s) => !!s && s.trim() !== "";
  if (v.includes("*")) {
    const re = new RegExp(`^${v.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return (s) => !!s && re.test(fold(s));
  }
  return (s) => !!s && fold(s) === v;
}

function boolValue(v: string): boolean | null {
  const x = v.trim().toLowerCase();
  return x === "true" ? true : x === "false" ? false : null;
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, "");
}

// ---------------------------------------------------------------------------------------------
// compilation

const ALL: Filter = { pred: null, lo: 0, hi: Number.MAX_SAFE_INTEGER, candidates: null };

type Handler = (op: Op, value: string) => Filter;

function simple(pred: Pred): Filter {
  return { pred, lo: 0, hi: Number.MAX_SAFE_INTEGER, candidates: null };
}

function ranged(lo: number, hi: number): Filter {
  return { pred: (i) => i >= lo && i < hi, lo, hi, candidates: null };
}

function withCandidates(cands: number[], pred: Pred): Filter {
  return { pred, lo: 0, hi: Number.MAX_SAFE_INTEGER, candidates: cands };
}

const NONE: Filter = { pred: () => false, lo: 0, hi: 0, candidates: [] };

function and(filters: Filter[]): Filter {
  const preds = filters.map((f) => f.pred).filter((p): p is Pred => p !== null);
  let lo = 0;
  let hi = Number.MAX_SAFE_INTEGER;
  let candidates: number[] | null = null;
  for (const f of filters) {
    lo = Math.max(lo, f.lo);
    hi = Math.min(hi, f.hi);
    if (f.candidates && (!candidates || f.candidates.length < candidates.length)) candidates = f.candidates;
  }
  const pred: Pred | null = preds.length === 0 ? null : preds.length === 1 ? (preds[0] ?? null) : (i) => preds.every((p) => p(i));
  return { pred, lo, hi, candidates };
}

function or(filters: Filter[]): Filter {
  if (filters.some((f) => f.pred === null)) return ALL;
  const preds = filters.map((f) => f.pred as Pred);
  return simple((i) => preds.some((p) => p(i)));
}

function not(f: Filter): Filter {
  const p = f.pred;
  return p ? simple((i) => !p(i)) : NONE;
}

function idFilter(space: { range(op: Op, x: bigint, count: number): [number, number] }, count: number, op: Op, value: string): Filter {
  const raw = value.trim().replace(/^gid:\/\/shopify\/\w+\//, "");
  if (!/^\d+$/.test(raw)) return NONE;
  const [lo, hi] = space.range(op, BigInt(raw), count);
  return ranged(lo, hi);
}

function compile(ast: Ast | null, fields: Record<string, Handler>, fallback: Handler, warnings: SearchWarning[]): Filter {
  if (!ast) return ALL;
  switch (ast.kind) {
    case "and":
      return and(ast.items.map((x) => compile(x, fields, fallback, warnings)));
    case "or":
      return or(ast.items.map((x) => compile(x, fields, fallback, warnings)));
    case "not":
      return not(compile(ast.item, fields, fallback, warnings));
    case "term": {
      if (ast.field === null) return fallback(ast.op, ast.value);
      const h = fields[ast.field];
      if (!h) {
        warnings.push({ field: ast.field, message: "Invalid search field for this query." });
        return ALL;
      }
      return h(ast.op, ast.value);
    }
  }
}

export function compileCustomerSearch(store: EmulatedStore, query: string | null | undefined, warnings: SearchWarning[] = []): Filter {
  if (!query || !query.trim()) return ALL;
  const tz = store.shop.ianaTimezone;
  const n = store.customerCount;
  const time = (col: "created" | "updated"): Handler => (op, v) => {
    const span = parseTimeSpan(v, tz);
    if (!span) return NONE;
    if (col === "created") {
      const [lo, hi] = monotonicRange(store.cCreated, n, op, span);
      return ranged(lo, hi);
    }
    return simple(timePred((i) => store.cUpdated[i] ?? 0, op, span));
  };
  const fields: Record<string, Handler> = {
    id: (op, v) => idFilter(store.ids.customer, n, op, v),
    email: (_op, v) => {
      const norm = v.trim().toLowerCase();
      if (!norm.includes("*")) {
        const c = store.findByEmail(norm);
        const set = new Set(c);
        return withCandidates(c, (i) => set.has(i));
      }
      const m = textMatcher(v);
      return simple((i) => m(store.email(i)));
    },
    phone: (_op, v) => {
      const d = digitsOf(v);
      if (!d) return NONE;
      return simple((i) => {
        const p = store.phone(i);
        if (!p) return false;
        const pd = digitsOf(p);
        return pd === d || pd.endsWith(d) || d.endsWith(pd);
      });
    },
    state: (_op, v) => {
      const s = v.trim().toUpperCase();
      return simple((i) => store.state(i) === s);
    },
    created_at: time("created"),
    customer_date: time("created"),
    updated_at: time("updated"),
    first_name: (_op, v) => {
      const m = textMatcher(v);
      return simple((i) => m(store.firstName(i)));
    },
    last_name: (_op, v) => {
      const m = textMatcher(v);
      return simple((i) => m(store.lastName(i)));
    },
    orders_count: (op, v) => (Number.isFinite(Number(v)) ? simple(numPred((i) => store.cOrders[i] ?? 0, op, Number(v))) : NONE),
    total_spent: (op, v) => (Number.isFinite(Number(v)) ? simple(numPred((i) => store.cSpent[i] ?? 0, op, Math.round(Number(v) * 100))) : NONE),
    tag: (_op, v) => {
      const t = fold(v);
      return simple((i) => store.tags(i).some((x) => fold(x) === t));
    },
    tag_not: (_op, v) => {
      const t = fold(v);
      return simple((i) => !store.tags(i).some((x) => fold(x) === t));
    },
    accepts_marketing: (_op, v) => {
      const b = boolValue(v);
      if (b === null) return NONE;
      return simple((i) => (store.emailMarketingState(i) === "SUBSCRIBED") === b);
    },
    email_marketing_state: (_op, v) => {
      const s = v.trim().toUpperCase();
      return simple((i) => store.hasEmail(i) && store.emailMarketingState(i) === s);
    },
    sms_marketing_state: (_op, v) => {
      const s = v.trim().toUpperCase();
      return simple((i) => !!store.phone(i) && store.smsMarketingState(i) === s);
    },
    country: (_op, v) => {
      const s = fold(v);
      return simple((i) => {
        const a = store.address(i);
        return !!a && (fold(a.countryCode) === s || fold(a.country) === s);
      });
    },
  };
  const fallback: Handler = (_op, v) => {
    const words = fold(v).split(/\s+/).filter(Boolean);
    return simple((i) => {
      const hay = fold(`${store.firstName(i) ?? ""} ${store.lastName(i) ?? ""} ${store.email(i) ?? ""}`);
      return words.every((w) => hay.includes(w.replace(/\*/g, "")));
    });
  };
  return compile(parseSearch(query), fields, fallback, warnings);
}

const FINANCIAL_ALIASES: Record<string, string> = {
  paid: "PAID",
  pending: "PENDING",
  authorized: "AUTHORIZED",
  partially_paid: "PARTIALLY_PAID",
  partially_refunded: "PARTIALLY_REFUNDED",
  refunded: "REFUNDED",
  voided: "VOIDED",
  expired: "EXPIRED",
};

const FULFILLMENT_ALIASES: Record<string, string[]> = {
  shipped: ["FULFILLED"],
  fulfilled: ["FULFILLED"],
  partial: ["PARTIALLY_FULFILLED"],
  partially_fulfilled: ["PARTIALLY_FULFILLED"],
  unshipped: ["UNFULFILLED"],
  unfulfilled: ["UNFULFILLED"],
  restocked: ["RESTOCKED"],
  on_hold: ["ON_HOLD"],
  in_progress: ["IN_PROGRESS"],
  scheduled: ["SCHEDULED"],
  pending_fulfillment: ["PENDING_FULFILLMENT"],
  request_declined: ["REQUEST_DECLINED"],
  open: ["OPEN"],
};

export function compileOrderSearch(store: EmulatedStore, query: string | null | undefined, warnings: SearchWarning[] = []): Filter {
  if (!query || !query.trim()) return ALL;
  const tz = store.shop.ianaTimezone;
  const n = store.orderCount;
  const created: Handler = (op, v) => {
    const span = parseTimeSpan(v, tz);
    if (!span) return NONE;
    const [lo, hi] = monotonicRange(store.oCreated, n, op, span);
    return ranged(lo, hi);
  };
  const fields: Record<string, Handler> = {
    id: (op, v) => idFilter(store.ids.order, n, op, v),
    name: (_op, v) => {
      const num = Number(v.trim().replace(/^#/, ""));
      const j = num - 1001;
      if (!Number.isInteger(j) || j < 0 || j >= n) return NONE;
      return withCandidates([j], (i) => i === j);
    },
    created_at: created,
    processed_at: created,
    updated_at: (op, v) => {
      const span = parseTimeSpan(v, tz);
      return span ? simple(timePred((i) => store.oUpdated[i] ?? 0, op, span)) : NONE;
    },
    financial_status: (_op, v) => {
      const s = v.trim().toLowerCase();
      if (s === "any") return ALL;
      const target = FINANCIAL_ALIASES[s];
      return target ? simple((i) => store.financialStatus(i) === target) : NONE;
    },
    fulfillment_status: (_op, v) => {
      const s = v.trim().toLowerCase();
      if (s === "any") return ALL;
      const targets = FULFILLMENT_ALIASES[s];
      return targets ? simple((i) => targets.includes(store.fulfillmentStatus(i))) : NONE;
    },
    status: (_op, v) => {
      switch (v.trim().toLowerCase()) {
        case "open":
          return simple((i) => !store.isClosed(i) && !store.isCancelled(i));
        case "closed":
          return simple((i) => store.isClosed(i));
        case "cancelled":
        case "canceled":
          return simple((i) => store.isCancelled(i));
        case "not_closed":
          return simple((i) => !store.isClosed(i));
        case "any":
          return ALL;
        default:
          return NONE;
      }
    },
    customer_id: (_op, v) => {
      const raw = v.trim().replace(/^gid:\/\/shopify\/Customer\//, "");
      const c = store.customerIndex(raw);
      if (c < 0) return NONE;
      return withCandidates(Array.from(store.customerOrders(c)), (i) => store.orderCustomer(i) === c);
    },
    email: (_op, v) => {
      const m = textMatcher(v);
      return simple((i) => m(store.orderEmail(i)));
    },
    test: (_op, v) => {
      const b = boolValue(v);
      return b === null ? NONE : simple((i) => store.isTest(i) === b);
    },
    source_name: (_op, v) => {
      const s = v.trim().toLowerCase();
      return simple((i) => store.sourceName(i) === s);
    },
    tag: () => NONE,
  };
  const fallback: Handler = (_op, v) => {
    const w = fold(v).replace(/\*/g, "");
    return simple((i) => {
      if (store.orderName(i).includes(w)) return true;
      const e = store.orderEmail(i);
      return !!e && e.toLowerCase().includes(w);
    });
  };
  return compile(parseSearch(query), fields, fallback, warnings);
}
