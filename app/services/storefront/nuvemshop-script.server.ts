import crypto from "node:crypto";
import extensionCss from "../../../extensions/carryover-points/assets/carryover-points.css?raw";
import { env } from "../../env.server";
import { PlatformError } from "../../platforms/platform-client";
import type { NuvemshopRest } from "../../platforms/nuvemshop/nuvemshop-rest.server";
import { parseLinkHeader } from "../../platforms/nuvemshop/nuvemshop-mapping";
import { WIDGET_LOCALES, WIDGET_STRINGS, type WidgetLocale, type WidgetStrings } from "./nuvemshop-strings.server";
import { CHALLENGE_TTL_SECONDS } from "./nuvemshop-tokens.server";
import widgetCss from "./nuvemshop-widget.css?raw";
import widgetSource from "./nuvemshop-widget.js?raw";

/**
 * The Nuvemshop storefront script (decision 0016): nuvemshop-widget.js with its configuration written in —
 * the app's URL (the default for `api`), the widget's strings from the theme extension's locale files (one
 * source for both platforms; the e-mail's own strings left out) and the extension's stylesheet plus the
 * code form's. The app serves it at /storefront/nuvemshop.js; the Partner Portal script is this same file.
 */
const MARK = "/*__CARRYOVER_CONFIG__*/ null";

type ScriptStrings = Omit<WidgetStrings, "verify"> & { verify: Omit<WidgetStrings["verify"], "email_subject" | "email_body"> };

function scriptStrings(locale: WidgetLocale): ScriptStrings {
  const { verify, ...rest } = WIDGET_STRINGS[locale];
  const { email_subject: _subject, email_body: _body, ...shown } = verify;
  return { ...rest, verify: shown };
}

let cached: { appUrl: string; body: string; etag: string } | undefined;

export function nuvemshopStorefrontScript(): { body: string; etag: string } {
  const appUrl = env().SHOPIFY_APP_URL.replace(/\/+$/, "");
  if (cached?.appUrl === appUrl) return cached;
  const config = {
    api: appUrl,
    codeMinutes: CHALLENGE_TTL_SECONDS / 60,
    strings: Object.fromEntries(WIDGET_LOCALES.map((l) => [l, scriptStrings(l)])),
    css: `${extensionCss}\n${widgetCss}`,
  };
  if (!widgetSource.includes(MARK)) throw new Error("nuvemshop-widget.js lost its configuration mark");
  // JSON is JavaScript; `<` escaped so that the text can never close a <script> element it is inlined in.
  const body = widgetSource.replace(MARK, JSON.stringify(config).replace(/</g, "\\u003c"));
  cached = { appUrl, body, etag: `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
  return cached;
}

export type ScriptAssociation =
  | { outcome: "not-configured" }
  | { outcome: "kept" | "associated"; id: string; removed: number }
  | { outcome: "refused" | "failed"; reason: string };

type Json = Record<string, unknown>;

/**
 * Associates the Partner Portal script (`NUVEMSHOP_SCRIPT_ID`) with the store, once: `GET /scripts` lists
 * this app's associations; one with our script id and the same `query_params` (`{"api": app URL}`) is
 * kept, others of our script id are deleted, and a missing one is created with `POST /scripts {script_id,
 * query_params}`. Never throws: the install goes on without the widget, and says why in the log.
 */
export async function associateNuvemshopScript(rest: NuvemshopRest, appUrl: string): Promise<ScriptAssociation> {
  const scriptId = env().NUVEMSHOP_SCRIPT_ID;
  if (!scriptId) return { outcome: "not-configured" };
  const queryParams = JSON.stringify({ api: appUrl.replace(/\/+$/, "") });
  try {
    const mine: Json[] = [];
    for (let page = 1; page <= 20; page++) {
      const res = await rest.get<unknown>("/scripts", { query: { per_page: 200, page }, accept: [404] });
      if (res.status === 404 || !Array.isArray(res.body)) break;
      for (const item of res.body as Json[]) if (String(item.script_id) === scriptId) mine.push(item);
      const link = res.headers.get("link");
      if (!link || parseLinkHeader(link).next === undefined) break;
    }
    const keep = mine.find((s) => s.query_params === queryParams);
    let removed = 0;
    for (const extra of mine) {
      if (extra === keep) continue;
      await rest.request("DELETE", `/scripts/${encodeURIComponent(String(extra.id))}`, { accept: [404] });
      removed += 1;
    }
    if (keep) return { outcome: "kept", id: String(keep.id), removed };
    const created = await rest.request<Json>("POST", "/scripts", { body: { script_id: Number(scriptId), query_params: queryParams }, accept: [422] });
    if (created.status === 422) {
      const reason = `Nuvemshop refused the storefront script ${scriptId}: ${JSON.stringify(created.body).slice(0, 300)}`;
      console.warn(`[nuvemshop] ${reason}`);
      return { outcome: "refused", reason };
    }
    return { outcome: "associated", id: String(created.body?.id ?? ""), removed };
  } catch (error) {
    const reason = error instanceof PlatformError || error instanceof Error ? error.message : String(error);
    console.warn(`[nuvemshop] the storefront script could not be associated: ${reason}`);
    return { outcome: "failed", reason };
  }
}
