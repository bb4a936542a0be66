import en from "../../../extensions/carryover-points/locales/en.default.json";
import es from "../../../extensions/carryover-points/locales/es.json";
import ptBR from "../../../extensions/carryover-points/locales/pt-BR.json";

/**
 * The widget's words on Nuvemshop come from the Shopify theme extension's storefront locale files
 * (extensions/carryover-points/locales): one source for both platforms. The `verify` group is used by the
 * Nuvemshop script and its e-mail only (decision 0016); Shopify's snippet ignores it.
 */
export type WidgetLocale = "en" | "pt-BR" | "es";
export const WIDGET_LOCALES: readonly WidgetLocale[] = ["en", "pt-BR", "es"];

export type WidgetStrings = typeof en.carryover;

export const WIDGET_STRINGS: Record<WidgetLocale, WidgetStrings> = { en: en.carryover, "pt-BR": ptBR.carryover, es: es.carryover };

/** Nuvemshop's `LS.lang` (`pt_BR`, `pt`, `es_AR`, `es`, `en`…) or a BCP 47 tag, as one of the widget's languages. */
export function widgetLocale(lang: string | null | undefined): WidgetLocale {
  const tag = (lang ?? "").trim().toLowerCase().replace("_", "-");
  if (tag.startsWith("pt")) return "pt-BR";
  if (tag.startsWith("es")) return "es";
  return "en";
}

/** `{{ name }}` placeholders, as in the locale files (Liquid's `t` filter syntax). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
