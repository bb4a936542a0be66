// metafieldsSet / metafieldsDelete / metafieldDefinitionCreate, with Shopify's validation and userErrors.
// Messages and codes follow MetafieldsSetUserErrorCode (https://shopify.dev/docs/api/admin-graphql/latest/enums/MetafieldsSetUserErrorCode).

import { createHash } from "node:crypto";
import type { EmulatedStore, MetafieldDefinitionRecord, MetafieldRecord } from "./store.js";
import { gid, nowSec, parseGid } from "./util.js";

export const MAX_METAFIELDS_PER_SET = 25;

export interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
  elementIndex?: number | null;
}

const SCALAR_TYPES = [
  "boolean",
  "color",
  "date",
  "date_time",
  "dimension",
  "id",
  "json",
  "link",
  "money",
  "multi_line_text_field",
  "number_decimal",
  "number_integer",
  "rating",
  "rich_text_field",
  "single_line_text_field",
  "url",
  "volume",
  "weight",
];
const REFERENCE_TYPES = [
  "collection_reference",
  "company_reference",
  "customer_reference",
  "file_reference",
  "metaobject_reference",
  "mixed_reference",
  "page_reference",
  "product_reference",
  "product_taxonomy_value_reference",
  "variant_reference",
];
const LISTABLE = [
  "color",
  "date",
  "date_time",
  "dimension",
  "id",
  "link",
  "number_decimal",
  "number_integer",
  "rating",
  "single_line_text_field",
  "url",
  "volume",
  "weight",
  ...REFERENCE_TYPES,
];
export const METAFIELD_TYPES = new Set<string>([...SCALAR_TYPES, ...REFERENCE_TYPES, ...LISTABLE.map((t) => `list.${t}`)]);

export function typeCategory(type: string): string {
  if (type.startsWith("list.")) return typeCategory(type.slice(5));
  if (type.endsWith("_reference")) return "REFERENCE";
  if (type.startsWith("number_") || type === "rating") return "NUMBER";
  if (type.endsWith("text_field")) return "TEXT";
  if (type === "date" || type === "date_time") return "DATE_TIME";
  if (["dimension", "volume", "weight"].includes(type)) return "MEASUREMENT";
  return type === "boolean" ? "TRUE_FALSE" : type === "json" ? "JSON" : type === "money" ? "MONEY" : type === "url" || type === "link" ? "URL" : "TEXT";
}

/** `$app` -> `app--{appId}`, `$app:sub` -> `app--{appId}--sub`; omitted -> the app-reserved namespace. */
export function resolveNamespace(ns: string | null | undefined, appId: string): string {
  if (ns === null || ns === undefined || ns.trim() === "") return `app--${appId}`;
  if (ns === "$app") return `app--${appId}`;
  if (ns.startsWith("$app:")) return `app--${appId}--${ns.slice(5)}`;
  return ns;
}

export function ownerTypeOf(store: EmulatedStore, ownerId: string, appInstallationId: string): string | null {
  const g = parseGid(ownerId);
  if (!g) return null;
  switch (g.type) {
    case "Customer":
      return store.customerIndex(g.id) >= 0 ? "CUSTOMER" : null;
    case "Order":
      return store.orderIndex(g.id) >= 0 ? "ORDER" : null;
    case "Shop":
      return g.id === store.shop.legacyId ? "SHOP" : null;
    case "AppInstallation":
      return g.id === appInstallationId ? "API_PERMISSION" : null;
    default:
      return null;
  }
}

export function compareDigest(m: Pick<MetafieldRecord, "namespace" | "key" | "type" | "value" | "updatedAt">): string {
  return createHash("sha256").update(JSON.stringify([m.namespace, m.key, m.type, m.value, m.updatedAt])).digest("hex");
}

function isInt(v: string): boolean {
  if (!/^[-+]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n <= 9223372036854775807n && n >= -9223372036854775808n;
}

function decimalError(v: string): string | null {
  if (!/^[-+]?\d+(\.\d+)?$/.test(v)) return "Value must be a decimal.";
  const intPart = v.replace(/^[-+]/, "").split(".")[0]?.replace(/^0+/, "") ?? "";
  if (intPart.length > 13) return v.startsWith("-") ? "Value can't be less than -9999999999999." : "Value can't exceed 9999999999999.";
  return null;
}

function isDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function isDateTime(v: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  return !!m && !!m[1] && isDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
}

function isUrl(v: string): boolean {
  const l = v.toLowerCase();
  if (l.startsWith("http://") || l.startsWith("https://")) {
    try {
      return !!new URL(v).host;
    } catch {
      return false;
    }
  }
  return ["mailto:", "sms:", "tel:"].some((s) => l.startsWith(s) && v.slice(s.length).trim() !== "" && !/\s/.test(v.slice(s.length)));
}

function parseJson(v: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(v) };
  } catch {
    return { ok: false };
  }
}

/** Error message for a value of a scalar metafield type, or null when the value is valid. */
function scalarValueError(store: EmulatedStore, type: string, value: string): string | null {
  switch (type) {
    case "number_integer":
      return isInt(value) ? null : "Value must be an integer.";
    case "number_decimal":
      return decimalError(value);
    case "boolean":
      return value === "true" || value === "false" ? null : "Value must be true or false.";
    case "date":
      return isDate(value) ? null : "Value must be in YYYY-MM-DD format.";
    case "date_time":
      return isDateTime(value) ? null : "Value must be in YYYY-MM-DDTHH:MM:SS format.";
    case "json":
    case "rich_text_field":
      return parseJson(value).ok ? null : "Value is invalid JSON.";
    case "single_line_text_field":
      if (value.trim() === "") return "Value can't be blank.";
      return /[\r\n]/.test(value) ? "Value must be a single line text string." : null;
    case "multi_line_text_field":
      return value.trim() === "" ? "Value can't be blank." : null;
    case "color":
      return /^#[0-9a-fA-F]{6}$/.test(value) ? null : "Value must be a hex color code.";
    case "url":
      return isUrl(value)
        ? null
        : `Value cannot have an empty scheme (protocol), must include one of the following URL schemes: ["http", "https", "mailto", "sms", "tel"].`;
    case "money": {
      const p = parseJson(value);
      const o = p.ok ? (p.value as { amount?: unknown; currency_code?: unknown }) : null;
      const ok =
        !!o &&
        typeof o === "object" &&
        decimalError(String(o.amount ?? "")) === null &&
        !String(o.amount).startsWith("-") &&
        o.currency_code === store.shop.currencyCode;
      return ok ? null : "Value must be a stringified JSON object with amount (numeric) and currency_code (string matching the shop's currency) fields.";
    }
    case "dimension":
    case "volume":
    case "weight": {
      const p = parseJson(value);
      const o = p.ok ? (p.value as { value?: unknown; unit?: unknown }) : null;
      if (!o || typeof o !== "object" || o.unit === undefined) return "Value must contain unit and value.";
      return Number(o.value) >= 0 ? null : "Value must be a non-negative number.";
    }
    case "rating": {
      const p = parseJson(value);
      const o = p.ok ? (p.value as { value?: unknown; scale_min?: unknown; scale_max?: unknown }) : null;
      if (!o || typeof o !== "object") return "Value must be a rating.";
      const v = Number(o.value);
      const lo = Number(o.scale_min);
      const hi = Number(o.scale_max);
      if (![v, lo, hi].every(Number.isFinite) || lo >= hi) return "Value must be a rating.";
      return v < lo ? `Value has a minimum of ${String(o.scale_min)}.` : v > hi ? `Value has a maximum of ${String(o.scale_max)}.` : null;
    }
    case "link": {
      const p = parseJson(value);
      const o = p.ok ? (p.value as { text?: unknown; url?: unknown }) : null;
      return o && typeof o === "object" && typeof o.url === "string" && isUrl(o.url) ? null : "Value must be a valid link.";
    }
    case "customer_reference":
      return parseGid(value)?.type === "Customer" && store.customerIndex(parseGid(value)?.id ?? "") >= 0
        ? null
        : `Value references non-existent resource ${value}.`;
    default:
      if (type.endsWith("_reference")) return parseGid(value) ? null : `Value references non-existent resource ${value}.`;
      return null;
  }
}

function valueErrors(store: EmulatedStore, index: number, type: string, value: string): UserError[] {
  const path = ["metafields", String(index), "value"];
  if (type.startsWith("list.")) {
    const inner = type.slice(5);
    const p = parseJson(value);
    if (!p.ok || !Array.isArray(p.value)) return [{ field: path, message: "Value must be a JSON array.", code: "INVALID_VALUE", elementIndex: null }];
    if (p.value.length > 128) return [{ field: path, message: "Value has more than 128 elements.", code: "INVALID_VALUE", elementIndex: null }];
    const errs: UserError[] = [];
    p.value.forEach((item, k) => {
      const s = typeof item === "string" ? item : typeof item === "object" && item !== null ? JSON.stringify(item) : String(item);
      const msg = scalarValueError(store, inner, s);
      if (msg) errs.push({ field: path, message: msg, code: "INVALID_VALUE", elementIndex: k });
    });
    return errs;
  }
  const msg = scalarValueError(store, type, value);
  return msg ? [{ field: path, message: msg, code: "INVALID_VALUE", elementIndex: null }] : [];
}

export interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

export interface MetafieldContext {
  store: EmulatedStore;
  appId: string;
  appInstallationId: string;
}

function ownerKey(ownerId: string): string {
  const g = parseGid(ownerId);
  return g ? gid(g.type, g.id) : ownerId;
}

export function findDefinition(store: EmulatedStore, ownerType: string, namespace: string, key: string): MetafieldDefinitionRecord | undefined {
  return store.metafieldDefinitions.find((d) => d.ownerType === ownerType && d.namespace === namespace && d.key === key);
}

export function metafieldsSet(ctx: MetafieldContext, inputs: MetafieldsSetInput[], now = nowSec()): { metafields: MetafieldRecord[] | null; userErrors: UserError[] } {
  const { store, appId } = ctx;
  if (inputs.length > MAX_METAFIELDS_PER_SET) {
    return {
      metafields: null,
      userErrors: [
        { field: ["metafields"], message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`, code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null },
      ],
    };
  }
  const errors: UserError[] = [];
  const plans: Array<{ owner: string; ownerType: string; namespace: string; key: string; type: string; value: string }> = [];
  inputs.forEach((input, i) => {
    const at = (f?: string) => (f ? ["metafields", String(i), f] : ["metafields", String(i)]);
    const ownerType = ownerTypeOf(store, input.ownerId, ctx.appInstallationId);
    if (!ownerType) {
      errors.push({ field: at("ownerId"), message: "Owner does not exist.", code: "INVALID", elementIndex: null });
      return;
    }
    const namespace = resolveNamespace(input.namespace, appId);
    const key = input.key;
    if (namespace.length < 3) return void errors.push({ field: at("namespace"), message: "Namespace is too short (minimum is 3 characters)", code: "TOO_SHORT", elementIndex: null });
    if (namespace.length > 255) return void errors.push({ field: at("namespace"), message: "Namespace is too long (maximum is 255 characters)", code: "TOO_LONG", elementIndex: null });
    if (key.length < 2) return void errors.push({ field: at("key"), message: "Key is too short (minimum is 2 characters)", code: "TOO_SHORT", elementIndex: null });
    if (key.length > 64) return void errors.push({ field: at("key"), message: "Key is too long (maximum is 64 characters)", code: "TOO_LONG", elementIndex: null });
    if (!/^[A-Za-z0-9_-]+$/.test(key)) return void errors.push({ field: at("key"), message: "Key contains one or more invalid characters.", code: "INVALID", elementIndex: null });
    if (namespace.startsWith("app--") && namespace !== `app--${appId}` && !namespace.startsWith(`app--${appId}--`)) {
      return void errors.push({
        field: at(),
        message: "Access to this namespace and key on Metafields for this resource type is not allowed.",
        code: "APP_NOT_AUTHORIZED",
        elementIndex: null,
      });
    }
    const def = findDefinition(store, ownerType, namespace, key);
    const existing = store.metafields.get(ownerKey(input.ownerId))?.get(`${namespace}.${key}`);
    const type = input.type ?? def?.type ?? existing?.type ?? null;
    if (!type) return void errors.push({ field: at("type"), message: "Type can't be blank", code: "BLANK", elementIndex: null });
    if (!METAFIELD_TYPES.has(type)) {
      return void errors.push({ field: at("type"), message: `Type '${type}' is not a valid metafield type.`, code: "INVALID_TYPE", elementIndex: null });
    }
    if (def && def.type !== type) {
      return void errors.push({ field: at("type"), message: `Type must be ${def.type} for this metafield definition.`, code: "INVALID_TYPE", elementIndex: null });
    }
    if (input.value === null || input.value === undefined) return void errors.push({ field: at("value"), message: "Value can't be blank.", code: "BLANK", elementIndex: null });
    const vErr = valueErrors(store, i, type, input.value);
    if (vErr.length) return void errors.push(...vErr);
    if ("compareDigest" in input && input.compareDigest !== undefined) {
      const current = existing ? existing.compareDigest : null;
      if (input.compareDigest !== current) {
        return void errors.push({
          field: at(),
          message: "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
          code: "STALE_OBJECT",
          elementIndex: null,
        });
      }
    }
    let value = input.value;
    if (type === "json") value = JSON.stringify(JSON.parse(value));
    plans.push({ owner: ownerKey(input.ownerId), ownerType, namespace, key, type, value });
  });
  // The operation is atomic: nothing is written when any input is rejected.
  if (errors.length) return { metafields: [], userErrors: errors };
  const out: MetafieldRecord[] = [];
  for (const p of plans) {
    let byOwner = store.metafields.get(p.owner);
    if (!byOwner) {
      byOwner = new Map();
      store.metafields.set(p.owner, byOwner);
    }
    const k = `${p.namespace}.${p.key}`;
    const prev = byOwner.get(k);
    const rec: MetafieldRecord = prev
      ? { ...prev, type: p.type, value: p.value, updatedAt: prev.value === p.value && prev.type === p.type ? prev.updatedAt : now }
      : {
          id: store.nextMetafieldLegacyId(),
          ownerId: p.owner,
          ownerType: p.ownerType,
          namespace: p.namespace,
          key: p.key,
          type: p.type,
          value: p.value,
          createdAt: now,
          updatedAt: now,
          compareDigest: "",
        };
    rec.compareDigest = compareDigest(rec);
    byOwner.set(k, rec);
    out.push(rec);
  }
  store.version++;
  return { metafields: out, userErrors: [] };
}

export function metafieldsDelete(
  ctx: MetafieldContext,
  identifiers: Array<{ ownerId: string; namespace: string; key: string }>,
): { deletedMetafields: Array<{ ownerId: string; namespace: string; key: string } | null>; userErrors: UserError[] } {
  const errors: UserError[] = [];
  const deleted: Array<{ ownerId: string; namespace: string; key: string } | null> = [];
  identifiers.forEach((id, i) => {
    const namespace = resolveNamespace(id.namespace, ctx.appId);
    if (namespace.startsWith("app--") && namespace !== `app--${ctx.appId}` && !namespace.startsWith(`app--${ctx.appId}--`)) {
      errors.push({ field: ["metafields", String(i)], message: "Access to this namespace and key on Metafields for this resource type is not allowed.", code: "APP_NOT_AUTHORIZED" });
      return;
    }
    const byOwner = ctx.store.metafields.get(ownerKey(id.ownerId));
    const k = `${namespace}.${id.key}`;
    if (byOwner?.delete(k)) deleted.push({ ownerId: ownerKey(id.ownerId), namespace, key: id.key });
    else deleted.push(null);
  });
  if (errors.length) return { deletedMetafields: [], userErrors: errors };
  ctx.store.version++;
  return { deletedMetafields: deleted, userErrors: [] };
}

export interface MetafieldDefinitionInput {
  name: string;
  namespace?: string | null;
  key: string;
  type: string;
  ownerType: string;
  description?: string | null;
  pin?: boolean | null;
  access?: { admin?: string | null; storefront?: string | null; customerAccount?: string | null } | null;
}

export function metafieldDefinitionCreate(
  ctx: MetafieldContext,
  input: MetafieldDefinitionInput,
): { createdDefinition: MetafieldDefinitionRecord | null; userErrors: UserError[] } {
  const namespace = resolveNamespace(input.namespace, ctx.appId);
  const appOwned = namespace.startsWith(`app--${ctx.appId}`);
  const errors: UserError[] = [];
  if (!input.name.trim()) errors.push({ field: ["definition", "name"], message: "Name can't be blank", code: "BLANK" });
  if (input.key.length < 2) errors.push({ field: ["definition", "key"], message: "Key is too short (minimum is 2 characters)", code: "TOO_SHORT" });
  if (input.key.length > 64) errors.push({ field: ["definition", "key"], message: "Key is too long (maximum is 64 characters)", code: "TOO_LONG" });
  if (namespace.length < 3) errors.push({ field: ["definition", "namespace"], message: "Namespace is too short (minimum is 3 characters)", code: "TOO_SHORT" });
  if (!METAFIELD_TYPES.has(input.type)) errors.push({ field: ["definition", "type"], message: "Type name is not included in the list", code: "INCLUSION" });
  if (namespace.startsWith("app--") && !appOwned) {
    errors.push({ field: ["definition", "namespace"], message: "Access to this namespace and key on Metafields for this resource type is not allowed.", code: "APP_NOT_AUTHORIZED" });
  }
  if (input.access && !appOwned && (input.access.admin || input.access.storefront)) {
    errors.push({
      field: ["definition", "access"],
      message: "Setting access controls on a metafield definition is only supported for app-reserved namespaces.",
      code: "INVALID",
    });
  }
  if (findDefinition(ctx.store, input.ownerType, namespace, input.key)) {
    errors.push({
      field: ["definition", "key"],
      message: `Key is in use for ${input.ownerType.toLowerCase()} metafields on the '${input.namespace ?? namespace}' namespace.`,
      code: "TAKEN",
    });
  }
  if (errors.length) return { createdDefinition: null, userErrors: errors };
  const def: MetafieldDefinitionRecord = {
    id: ctx.store.nextDefinitionLegacyId(),
    name: input.name,
    namespace,
    key: input.key,
    type: input.type,
    ownerType: input.ownerType,
    description: input.description ?? null,
    access: {
      admin: input.access?.admin ?? (appOwned ? "MERCHANT_READ" : "PUBLIC_READ_WRITE"),
      storefront: input.access?.storefront ?? "NONE",
      customerAccount: input.access?.customerAccount ?? "NONE",
    },
    pinned: !!input.pin,
  };
  ctx.store.metafieldDefinitions.push(def);
  ctx.store.version++;
  return { createdDefinition: def, userErrors: [] };
}
