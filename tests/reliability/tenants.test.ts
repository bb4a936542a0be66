// Issue 9, part 4 (security): tenant isolation, route by route. The admin routes are found from the
// route files (app/routes/app.* — screens and the admin's resource routes), so a new route cannot be
// missed: each path param must be one the generator knows how to fill (a store-scoped id, or a fixed
// list of values), and each action must have its forms declared below, or this file fails.
//
// Three stores are built through the real services (support/tenants.ts): A (Shopify) and N (Nuvemshop)
// attack, B (Shopify) is the victim, holding migrations with imported files, rejected rows, previews,
// a review decision, members and ledger entries, and marker data no other store has. Signed in as A
// (a Shopify session token) and as N (the Nuvemshop session cookie), every loader and action of every
// admin route is called with B's ids — in the path, in the query, in the form, alone and mixed with the
// attacker's own — and must refuse (404/403, or a redirect that names nothing of B's) whenever a path
// names B's object, never answer with B's data (no marker of B's in the body or headers), never change a
// row of B's, and never file the attacker's rows under B's. Each attempt is a case of the report's
// "tenants" category; a response holding B's data or a write to B's rows is a cross-shop read.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const sink = await vi.hoisted(async () => {
  const { startSink, pointPlatformsAt } = await import("./support/sink");
  const started = await startSink();
  pointPlatformsAt(started);
  process.env.CARRYOVER_WORKER = "off";
  return started;
});

import { callRoute } from "../support/remix";
import { Tally } from "./support/record";
import { buildTenant, crossLinks, fingerprint, ownText, type Tenant } from "./support/tenants";

type Handler = Parameters<typeof callRoute>[0];
type SlotKind = "migration" | "file" | "member" | "reconciliation" | "record" | "cursor" | "search";

const ROUTES_DIR = path.resolve("app/routes");

/** Path params naming one store's object: filled with the attacker's or the victim's. */
const SCOPED_PARAMS: Record<string, SlotKind> = { id: "migration", fileId: "file", memberId: "member" };
/** Path params that name no store's object: every value they take. */
const LISTED_PARAMS: Record<string, () => Promise<readonly string[]>> = {
  download: async () => (await import("~/services/admin/report-step.server")).DOWNLOADS,
};

type Field = string | { slot: SlotKind } | { slots: SlotKind };
interface Probe {
  name: string;
  fields: Record<string, Field>;
  /** Sent as multipart with a small CSV in `file` (the upload). */
  upload?: boolean;
}
interface RouteInputs {
  /** Query strings the loader reads that can name a store's object or person. */
  queries?: Probe[];
  /** Valid forms of the action (each reaching the service that must scope it). */
  forms?: Probe[];
  /** Why the action has no form to probe (it takes no id and acts on the signed-in store only). */
  actionTakesNoId?: string;
}

const slot = (kind: SlotKind): Field => ({ slot: kind });

/**
 * Query and form fields a route reads by name that never name a store's object. Any other field a
 * route file reads by name (`searchParams.get("x")`, `form.get("x")`) must be probed in ROUTE_INPUTS.
 */
const NON_ID_FIELDS = new Set(["intent", "reason", "page", "locale", "tab", "kind", "q", "state"]);

/**
 * What each admin route reads besides its path. A route with an action must be listed (its forms, or
 * why none names an object); a new query or form field that carries an id belongs here too.
 */
const ROUTE_INPUTS: Record<string, RouteInputs> = {
  "app._index.tsx": { actionTakesNoId: "starts a migration for the signed-in store; the form has only intent=start" },
  "app.members._index.tsx": {
    queries: [
      { name: "search", fields: { q: slot("search") } },
      { name: "cursor", fields: { after: slot("member") } },
      { name: "cursor back", fields: { before: slot("member") } },
    ],
  },
  "app.members.$memberId.tsx": {
    queries: [
      { name: "older", fields: { older: slot("cursor") } },
      { name: "newer", fields: { newer: slot("cursor") } },
    ],
    forms: [
      { name: "push", fields: { intent: "push" } },
      { name: "adjust", fields: { intent: "adjust", points: "5", reason: "tenant isolation probe", requestId: "{uuid}" } },
    ],
  },
  "app.migrations.$id.apply.tsx": {
    forms: [
      { name: "apply with preview", fields: { intent: "apply", scope: "all", reconciliationId: slot("reconciliation") } },
      { name: "apply", fields: { intent: "apply", scope: "all" } },
      { name: "plan", fields: { intent: "plan", scope: "all" } },
      { name: "plan pilot", fields: { intent: "plan", scope: "pilot", pilot: "10%" } },
      { name: "retry", fields: { intent: "retry" } },
    ],
  },
  "app.migrations.$id.map.tsx": {
    queries: [{ name: "file", fields: { file: slot("file") } }],
    forms: [
      { name: "mapping", fields: { intent: "mapping", fileId: slot("file"), "column.0": "email", "column.3": "points" } },
      { name: "policy", fields: { intent: "policy", fileId: slot("file"), policy: "max" } },
    ],
  },
  "app.migrations.$id.platforms.tsx": {
    forms: [{ name: "platforms", fields: { oldPlatform: "vtex", oldProvider: "smile", cutoverAt: "2026-10-01", ordersMigrated: "no", customersMigrated: "no" } }],
  },
  "app.migrations.$id.report.tsx": { forms: [{ name: "rollback", fields: { intent: "rollback" } }] },
  "app.migrations.$id.review.tsx": {
    forms: [
      { name: "decide", fields: { intent: "decide", recordId: slot("record"), decision: "pending" } },
      { name: "reject", fields: { intent: "decide", recordId: slot("record"), decision: "reject", note: "tenant isolation probe" } },
      { name: "bulk", fields: { intent: "bulk", recordIds: { slots: "record" }, decision: "pending" } },
      { name: "withdraw", fields: { intent: "withdraw", recordId: slot("record") } },
      { name: "preview", fields: { intent: "preview" } },
    ],
  },
  "app.migrations.$id.rules.tsx": { forms: [{ name: "rules", fields: { retroactive: "off" } }] },
  "app.migrations.$id.sync.tsx": {
    forms: [
      { name: "sync", fields: { intent: "sync" } },
      { name: "preview", fields: { intent: "preview" } },
      { name: "refresh", fields: { intent: "refresh" } },
    ],
  },
  "app.migrations.$id.upload.tsx": {
    queries: [{ name: "file", fields: { file: slot("file") } }],
    forms: [{ name: "format", fields: { fileId: slot("file"), encoding: "utf-8", delimiter: "comma", decimalMark: "dot", dateOrder: "mdy", headerRow: "1" } }],
  },
  "app.migrations.$id.upload-file.ts": { forms: [{ name: "upload", fields: { provider: "smile" }, upload: true }] },
};

// ------------------------------------------------------------------------------------ the routes

interface RouteFile {
  file: string;
  modulePath: string;
  /** URL segments: literal text, or { param }. */
  segments: Array<string | { param: string }>;
  params: string[];
}

/** Remix flat-route file name → URL segments ([.] escapes, _index, pathless _x, x_ suffix, $param, $ splat). */
function routeFile(file: string): RouteFile {
  const full = path.join(ROUTES_DIR, file);
  const modulePath = fs.statSync(full).isDirectory() ? ["route.tsx", "route.ts"].map((f) => path.join(full, f)).find((f) => fs.existsSync(f)) ?? full : full;
  const name = fs.statSync(full).isDirectory() ? file : file.replace(/\.(tsx|ts|jsx|js)$/, "");
  const escaped: string[] = [];
  const protectedName = name.replace(/\[([^\]]*)\]/g, (_m, inner: string) => `\uE000${escaped.push(inner) - 1}\uE000`);
  const segments: RouteFile["segments"] = [];
  const params: string[] = [];
  for (const raw of protectedName.split(".")) {
    const seg = raw.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => escaped[Number(i)] ?? "");
    if (raw === "_index" || (raw.startsWith("_") && !raw.includes("\uE000"))) continue;
    const optional = /^\((.*)\)$/.exec(raw);
    const body = (optional?.[1] ?? raw).replace(/_$/, "");
    if (body.startsWith("$")) {
      const param = body === "$" ? "*" : body.slice(1);
      params.push(param);
      segments.push({ param });
    } else segments.push(seg.replace(/_$/, ""));
  }
  return { file, modulePath, segments, params };
}

const adminRoutes = fs
  .readdirSync(ROUTES_DIR)
  .filter((f) => f === "app.tsx" || f.startsWith("app."))
  .filter((f) => !/\.test\.tsx?$/.test(f))
  .sort()
  .map(routeFile);

// ------------------------------------------------------------------------------------- the cases

type Owner = "attacker" | "victim";
interface Slot {
  where: "path" | "field";
  name: string;
  kind: SlotKind;
}

function valuesOf(t: Tenant, kind: SlotKind, context: number): string {
  const ctx = t.contexts[context % t.contexts.length]!;
  switch (kind) {
    case "migration":
      return ctx.migrationId;
    case "file":
      return ctx.fileId;
    case "reconciliation":
      return ctx.reconciliationId;
    case "record":
      return ctx.recordId;
    case "member":
      return t.memberIds[context % t.memberIds.length]!;
    case "cursor":
      return t.historyCursors[context % t.historyCursors.length]!;
    case "search":
      return t.searches[context % t.searches.length]!;
  }
}

/** Every assignment of slots to owners but the attacker's alone (that is not a cross-store request). */
function assignments(slots: Slot[]): Owner[][] {
  const out: Owner[][] = [];
  for (let mask = 1; mask < 1 << slots.length; mask++) out.push(slots.map((_, i) => (mask & (1 << i) ? "victim" : "attacker")));
  return out;
}

interface Attempt {
  label: string;
  request: Request;
  requestText: string;
  pathNamesVictim: boolean;
  handler: Handler;
  params: Record<string, string>;
}

function buildUrl(route: RouteFile, params: Record<string, string>, query: URLSearchParams): string {
  const p = route.segments.map((s) => (typeof s === "string" ? s : encodeURIComponent(params[s.param] ?? ""))).join("/");
  const q = query.toString();
  return `/${p}${q ? `?${q}` : ""}`;
}

const UPLOAD_CSV = "email,points\nprobe@tenant-probe.example,5\n";

async function attemptsFor(route: RouteFile, mod: Record<string, unknown>, attacker: Tenant, victim: Tenant): Promise<Attempt[]> {
  const inputs = ROUTE_INPUTS[route.file] ?? {};
  const listed: Record<string, readonly string[]> = {};
  for (const p of route.params) if (LISTED_PARAMS[p]) listed[p] = await LISTED_PARAMS[p]();
  const listedNames = Object.keys(listed);
  const listedCombos: Array<Record<string, string>> = [{}];
  for (const name of listedNames) {
    const next: Array<Record<string, string>> = [];
    for (const combo of listedCombos) for (const v of listed[name]!) next.push({ ...combo, [name]: v });
    listedCombos.splice(0, listedCombos.length, ...next);
  }
  const pathSlots: Slot[] = route.params.filter((p) => SCOPED_PARAMS[p]).map((p) => ({ where: "path", name: p, kind: SCOPED_PARAMS[p]! }));
  const out: Attempt[] = [];

  const kinds: Array<{ method: "GET" | "POST"; handler: Handler; probes: Probe[] }> = [];
  if (typeof mod.loader === "function") kinds.push({ method: "GET", handler: mod.loader as Handler, probes: [{ name: "", fields: {} }, ...(inputs.queries ?? [])] });
  if (typeof mod.action === "function") kinds.push({ method: "POST", handler: mod.action as Handler, probes: inputs.forms ?? [] });

  for (const { method, handler, probes } of kinds) {
    for (const probe of probes) {
      const fieldSlots: Slot[] = Object.entries(probe.fields).flatMap(([name, f]) => (typeof f === "string" ? [] : [{ where: "field" as const, name, kind: "slot" in f ? f.slot : f.slots }]));
      const slots = [...pathSlots, ...fieldSlots];
      const owners = slots.length === 0 ? [[] as Owner[]] : assignments(slots);
      for (const assignment of owners) {
        // The victim's objects come from each of its migrations in turn (previewed, applied); the attacker's from its previewed one.
        const contexts = assignment.includes("victim") ? victim.contexts.map((_, i) => i) : [0];
        for (const context of contexts) {
          for (const listedValues of listedCombos) {
            const value = (s: Slot, i: number) => valuesOf(assignment[i] === "victim" ? victim : attacker, s.kind, assignment[i] === "victim" ? context : 0);
            const params: Record<string, string> = { ...listedValues };
            slots.forEach((s, i) => {
              if (s.where === "path") params[s.name] = value(s, i);
            });
            const fields = new Map<string, string[]>();
            for (const [name, f] of Object.entries(probe.fields)) {
              if (typeof f === "string") fields.set(name, [f === "{uuid}" ? crypto.randomUUID() : f]);
              else {
                const i = slots.findIndex((s) => s.where === "field" && s.name === name);
                const v = value(slots[i]!, i);
                // A bulk field names the attacker's own record beside the victim's, so the form is never refused for being empty.
                fields.set(name, "slots" in f && assignment[i] === "victim" ? [valuesOf(attacker, f.slots, 0), v] : [v]);
              }
            }
            const query = new URLSearchParams();
            let body: BodyInit | undefined;
            let bodyText = "";
            if (method === "GET") for (const [k, vs] of fields) for (const v of vs) query.append(k, v);
            else if (probe.upload) {
              const form = new FormData();
              for (const [k, vs] of fields) for (const v of vs) form.append(k, v);
              form.set("file", new Blob([UPLOAD_CSV], { type: "text/csv" }), "probe.csv");
              body = form;
              bodyText = [...fields.values()].flat().join("\n");
            } else {
              const form = new URLSearchParams();
              for (const [k, vs] of fields) for (const v of vs) form.append(k, v);
              body = form;
              bodyText = form.toString();
            }
            const url = buildUrl(route, params, query);
            const who = slots.map((s, i) => `${s.name}=${assignment[i] === "victim" ? victim.label : attacker.label}`).join(",");
            const listedText = Object.entries(listedValues).map(([k, v]) => `${k}=${v}`).join(",");
            out.push({
              label: `${attacker.label}→${victim.label} ${route.file} ${method}${probe.name ? ` [${probe.name}]` : ""} ${[who, listedText].filter(Boolean).join(" ") || "(no id)"}${assignment.includes("victim") ? ` (${victim.label}'s ${victim.contexts[context]!.state} migration)` : ""}`,
              request: attacker.auth(url, method === "GET" ? {} : { method, body }),
              requestText: decodeURIComponent(url + "\n" + bodyText).toLowerCase(),
              pathNamesVictim: slots.some((s, i) => s.where === "path" && assignment[i] === "victim"),
              handler,
              params,
            });
          }
        }
      }
    }
  }
  return out;
}

/** What of the victim's a response shows (its markers and ids, except what the request itself named). */
function victimDataIn(text: string, victim: Tenant, markers: string[], requestText: string): string[] {
  const lower = text.toLowerCase();
  const found = markers.filter((m) => !requestText.includes(m) && lower.includes(m));
  for (const id of victim.ids) if (!requestText.includes(id.toLowerCase()) && text.includes(id)) found.push(`id ${id}`);
  return found;
}

// ------------------------------------------------------------------------------------- the test

const INVARIANTS = [
  "every admin route is found from app/routes; every path param is one the generator fills, every action has its forms declared",
  "a request naming another store's migration, file or member in its path is refused: 404/403 (or a redirect naming nothing of that store's)",
  "no response (body or headers) holds another store's data: its e-mails, names, referral code, points figure, file and migration names, row ids",
  "no request changes a row of the other store (migrations, files, staged rows, previews, decisions, members, ledger, jobs, sessions)",
  "no request files the signed-in store's rows under the other store's migrations, records or members",
  "no request ends in an unhandled error",
];

const tally = new Tally({
  category: "tenants",
  check: "every admin loader and action (found from app/routes), signed in as another Shopify store (session token) or a Nuvemshop store (session cookie), with the victim's migration, file, member, preview, record and history ids in path, query and form, alone and mixed",
  invariants: INVARIANTS,
});
const selfCheck = new Tally({
  category: "tenants",
  check: "detector check: the victim's own loaders with its own ids show its markers (so a leak of them would be seen)",
  invariants: ["the victim's rejected rows, report CSVs, member page and members search each show the victim's marker data to the victim"],
});

let victim: Tenant;
let attackers: Tenant[] = [];
let crossShopReads = 0;

beforeAll(async () => {
  // Shopify's library says "Authenticating admin request" for each of the hundreds of requests: not this report's news.
  const log = console.log.bind(console);
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("[shopify-app/INFO]")) return;
    log(...args);
  });
  victim = await buildTenant("B", "shopify", 11);
  attackers = [await buildTenant("A", "shopify", 12), await buildTenant("N", "nuvemshop", 13)];
}, 300_000);

afterAll(async () => {
  tally.add({ crossShopReads });
  tally.flush();
  selfCheck.flush();
  for (const t of [victim, ...attackers]) await t?.close();
  await sink.close();
});

describe("tenant isolation of the admin routes", () => {
  it("finds the admin routes, and knows how to fill every path param and probe every action", async () => {
    expect(adminRoutes.map((r) => r.file)).toEqual(expect.arrayContaining(["app.tsx", "app._index.tsx", "app.migrations.$id.rejected.$fileId.tsx", "app.members.$memberId.tsx"]));
    const problems: string[] = [];
    for (const route of adminRoutes) {
      for (const p of route.params) if (!SCOPED_PARAMS[p] && !LISTED_PARAMS[p]) problems.push(`${route.file}: the path param $${p} is neither a store-scoped id nor a listed value: add it to SCOPED_PARAMS or LISTED_PARAMS`);
      const mod = (await import(/* @vite-ignore */ route.modulePath)) as Record<string, unknown>;
      const inputs = ROUTE_INPUTS[route.file];
      if (typeof mod.action === "function" && !inputs?.forms?.length && !inputs?.actionTakesNoId) problems.push(`${route.file}: has an action but no forms in ROUTE_INPUTS`);
      if (inputs && typeof mod.action !== "function" && inputs.forms?.length) problems.push(`${route.file}: forms are declared but the route has no action`);
      const source = fs.readFileSync(route.modulePath, "utf8");
      const probed = new Set([...(inputs?.queries ?? []), ...(inputs?.forms ?? [])].flatMap((p) => Object.keys(p.fields)));
      for (const m of source.matchAll(/(?:searchParams|form|formData)\.get(?:All)?\("([^"]+)"\)/g)) {
        const field = m[1]!;
        if (!NON_ID_FIELDS.has(field) && !probed.has(field)) problems.push(`${route.file}: reads the field "${field}": probe it in ROUTE_INPUTS, or add it to NON_ID_FIELDS if it never names a store's object`);
      }
    }
    for (const file of Object.keys(ROUTE_INPUTS)) if (!adminRoutes.some((r) => r.file === file)) problems.push(`ROUTE_INPUTS names ${file}, which is not an admin route any more`);
    expect(problems).toEqual([]);
  });

  it("the victim's own screens show its marker data (the detector can see a leak)", async () => {
    const markers = victim.markers;
    const seen = new Set<string>();
    const interesting = ["app.migrations.$id.rejected.$fileId.tsx", "app.migrations.$id.report.$download.tsx", "app.members.$memberId.tsx", "app.members._index.tsx", "app.migrations.$id.map.tsx"];
    for (const route of adminRoutes.filter((r) => interesting.includes(r.file))) {
      const mod = (await import(/* @vite-ignore */ route.modulePath)) as Record<string, unknown>;
      const loader = mod.loader as Handler;
      const contexts = route.file === "app.migrations.$id.map.tsx" ? [0] : [0, 1];
      for (const context of contexts) {
        const params: Record<string, string> = {};
        for (const p of route.params) if (SCOPED_PARAMS[p]) params[p] = valuesOf(victim, SCOPED_PARAMS[p], route.file.includes("report") ? 1 : context);
        const downloads = route.params.includes("download") ? await LISTED_PARAMS.download!() : [undefined];
        for (const download of downloads) {
          if (download) params.download = download;
          const query = new URLSearchParams(route.file === "app.members._index.tsx" ? { q: victim.searches[context]! } : {});
          const url = buildUrl(route, params, query);
          await selfCheck.run(`${route.file} ${url}`, async () => {
            const res = await callRoute(loader, victim.auth(url), params);
            const text = await res.text();
            expect(res.status, `${url}: ${text.slice(0, 300)}`).toBe(200);
            const shown = markers.filter((m) => text.toLowerCase().includes(m));
            expect(shown.length, `${url} shows none of the victim's markers`).toBeGreaterThan(0);
            for (const m of shown) seen.add(m);
          });
        }
      }
    }
    for (const must of [`quorra.${victim.tag}@tenant-${victim.tag}.example`, `rejectina${victim.tag}`]) expect([...seen], must).toContain(must);
    expect([...seen].some((m) => /^\d{6}$/.test(m)), "the victim's points figure").toBe(true);
  });

  for (const attackerIndex of [0, 1]) {
    it(`signed in as another store (${attackerIndex === 0 ? "Shopify session token" : "Nuvemshop session cookie"}), no admin route serves, changes or links to the victim's data`, async () => {
      const attacker = attackers[attackerIndex]!;
      const own = await ownText(attacker.shop.id);
      const markers = victim.markers.filter((m) => !own.includes(m));
      // Every explicit marker survives the filter (they carry the victim's own tag).
      expect(markers.filter((m) => m.includes(victim.tag)).length).toBeGreaterThanOrEqual(8);
      const failures: string[] = [];
      let attempts = 0;
      for (const route of adminRoutes) {
        const mod = (await import(/* @vite-ignore */ route.modulePath)) as Record<string, unknown>;
        const before = await fingerprint(victim);
        for (const attempt of await attemptsFor(route, mod, attacker, victim)) {
          attempts++;
          try {
            await tally.run(attempt.label, async () => {
              let res: Response;
              try {
                res = await callRoute(attempt.handler, attempt.request, attempt.params);
              } catch (error) {
                throw new Error(`unhandled error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
              }
              const body = await res.text();
              const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
              const leaked = victimDataIn(`${headers}\n${body}`, victim, markers, attempt.requestText);
              if (leaked.length) {
                crossShopReads++;
                throw new Error(`answered ${res.status} with the victim's data: ${leaked.slice(0, 5).join(", ")}`);
              }
              if (attempt.pathNamesVictim) {
                const location = res.headers.get("location");
                const refused = [401, 403, 404].includes(res.status) || (res.status >= 300 && res.status < 400 && location !== null);
                if (!refused) throw new Error(`answered ${res.status} to a path naming the victim's object (expected 404/403): ${body.slice(0, 200)}`);
              } else if (res.status >= 500) {
                throw new Error(`answered ${res.status}: ${body.slice(0, 200)}`);
              }
            });
          } catch (error) {
            failures.push(`${attempt.label}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        const after = await fingerprint(victim);
        if (after !== before) {
          crossShopReads++;
          failures.push(`${route.file}: a request signed in as ${attacker.label} changed ${victim.label}'s rows`);
        }
      }
      const links = await crossLinks(attacker, victim);
      if (links.length) crossShopReads += links.length;
      failures.push(...links);
      expect(attempts).toBeGreaterThan(100);
      expect(failures).toEqual([]);
    });
  }

  it("no platform API was asked anything with the victim's token", () => {
    for (const r of sink.requests) expect(JSON.stringify(r.headers)).not.toContain(victim.token);
  });
});
