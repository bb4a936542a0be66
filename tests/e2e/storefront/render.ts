import fs from "node:fs";
import path from "node:path";

/**
 * Hand-renders extensions/carryover-points/snippets/carryover-points.liquid — the same elements,
 * classes and data attributes, with the strings read from the extension's own locale files — as
 * Shopify would for a customer whose app-owned metafields are not on the store yet (first view
 * "loading"), or for a signed-out visitor. No Liquid engine is involved; `snippetAttributes()` lets
 * the test check that every hook this markup relies on is still in the snippet.
 */
export const EXTENSION = path.resolve("extensions/carryover-points");

export type StorefrontLocale = "en" | "pt-BR" | "es";

export interface WidgetSettings {
  heading: string;
  text_color: string;
  background_color: string;
  accent_color: string;
  show_when_signed_out: boolean;
  position?: "bottom-right" | "bottom-left";
}

export const DEFAULT_SETTINGS: WidgetSettings = {
  heading: "",
  text_color: "#1f2421",
  background_color: "#f5f2ea",
  accent_color: "#2e6b4f",
  show_when_signed_out: true,
};

function localeFile(locale: StorefrontLocale): string {
  return path.join(EXTENSION, "locales", locale === "en" ? "en.default.json" : `${locale}.json`);
}

/** Liquid's `t` filter over the extension's storefront locale file. */
export function translator(locale: StorefrontLocale): (key: string) => string {
  const strings = JSON.parse(fs.readFileSync(localeFile(locale), "utf8")) as Record<string, unknown>;
  return (key) => {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], strings);
    if (typeof value !== "string") throw new Error(`translation missing: ${locale}.${key}`);
    return value;
  };
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderWidget(input: {
  locale: StorefrontLocale;
  customerId: string | null;
  variant: "block" | "embed";
  settings?: WidgetSettings;
}): string {
  const t = translator(input.locale);
  const s = input.settings ?? DEFAULT_SETTINGS;
  const heading = s.heading || t("carryover.heading");
  const firstView = input.customerId ? "loading" : "signed-out";
  const position = s.position ?? "bottom-right";
  const hidden = (show: boolean) => (show ? "" : " hidden");
  const classes = `carryover-points carryover-points--${input.variant}${input.variant === "embed" ? ` carryover-points--${position}` : ""}`;
  return `
<div
  class="${classes}"
  data-carryover-points
  data-view="${firstView}"
  data-proxy-url="/apps/carryover/points"
  data-customer-id="${input.customerId ?? ""}"
  data-show-signed-out="${s.show_when_signed_out}"
  data-locale="${input.locale}"
  data-label-one="${escape(t("carryover.points.one"))}"
  data-label-other="${escape(t("carryover.points.other"))}"
  style="--carryover-text: ${s.text_color}; --carryover-bg: ${s.background_color}; --carryover-accent: ${s.accent_color};"
  ${input.customerId || s.show_when_signed_out ? "" : "hidden"}
>
  ${input.variant === "embed" ? `<button type="button" class="carryover-points__close" data-carryover-close aria-label="${escape(t("carryover.close"))}">&times;</button>` : ""}
  <p class="carryover-points__heading">${escape(heading)}</p>
  <div class="carryover-points__part" data-part="member" hidden>
    <p class="carryover-points__balance">
      <span class="carryover-points__number" data-carryover-balance></span>
      <span class="carryover-points__unit" data-carryover-unit>${escape(t("carryover.points.other"))}</span>
    </p>
    <p class="carryover-points__tier" data-carryover-tier-row hidden>${escape(t("carryover.tier"))} <strong data-carryover-tier></strong></p>
    <p class="carryover-points__restored" data-carryover-restored hidden>${escape(t("carryover.restored"))}
      <time data-carryover-restored-at datetime=""></time></p>
    <p class="carryover-points__note" data-carryover-pending hidden>${escape(t("carryover.pending"))}</p>
  </div>
  <div class="carryover-points__part" data-part="none" hidden><p class="carryover-points__note">${escape(t("carryover.none"))}</p></div>
  <div class="carryover-points__part" data-part="signed-out"${hidden(firstView === "signed-out")}>
    <p class="carryover-points__message">${escape(t("carryover.signed_out"))}</p>
    <p class="carryover-points__actions">
      <a class="carryover-points__button" href="/account/register">${escape(t("carryover.create_account"))}</a>
      <a class="carryover-points__link" href="/account/login">${escape(t("carryover.sign_in"))}</a>
    </p>
  </div>
  <div class="carryover-points__part" data-part="loading"${hidden(firstView === "loading")}><p class="carryover-points__note">${escape(t("carryover.loading"))}</p></div>
  <div class="carryover-points__part" data-part="error" hidden><p class="carryover-points__note">${escape(t("carryover.error"))}</p></div>
</div>`;
}

/** The data-* attribute names and data-part values in a piece of markup. */
export function markupHooks(html: string): string[] {
  const names = [...html.matchAll(/\s(data-[a-z-]+)/g)].map((m) => m[1]!);
  const parts = [...html.matchAll(/data-part="([a-z-]+)"/g)].map((m) => `data-part="${m[1]}"`);
  return [...new Set([...names, ...parts])].sort();
}

export function snippetSource(): string {
  return fs.readFileSync(path.join(EXTENSION, "snippets/carryover-points.liquid"), "utf8");
}

/** A page playing the storefront: the theme's chrome, a section holding the app block, the app embed. */
export function storefrontPage(input: { locale: StorefrontLocale; customerId: string | null; customerName?: string }): string {
  const t = translator(input.locale);
  const lang = input.locale;
  const account = input.customerId ? escape(input.customerName ?? "") : escape(t("carryover.sign_in"));
  return `<!doctype html>
<html lang="${lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Demo Store</title>
  <link rel="stylesheet" href="/cdn/carryover-points.css">
  <style>
    body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: #222; background: #fff; }
    header { display: flex; justify-content: space-between; align-items: center; padding: 1rem 2rem; border-bottom: 1px solid #e5e5e5; }
    header strong { font-size: 1.3rem; letter-spacing: 0.02em; }
    main { max-width: 60rem; margin: 0 auto; padding: 2rem; }
    h1 { font-weight: 600; margin-top: 0; }
  </style>
</head>
<body>
  <header><strong>Demo Store</strong><span data-testid="account">${account}</span></header>
  <main>
    <h1>${input.customerId ? escape(t("carryover.heading")) : "Demo Store"}</h1>
    <section class="shopify-section" id="shopify-section-main">
      ${renderWidget({ locale: input.locale, customerId: input.customerId, variant: "block" })}
    </section>
  </main>
  ${renderWidget({ locale: input.locale, customerId: input.customerId, variant: "embed", settings: { ...DEFAULT_SETTINGS, background_color: "#ffffff" } })}
  <script src="/cdn/carryover-points.js" defer></script>
</body>
</html>`;
}
