import { en, type MessageKey } from "./en";
import { es } from "./es";
import type { Messages } from "./messages";
import { ptBR } from "./pt-BR";

export type { MessageKey, Messages };

export const LOCALES = ["en", "pt-BR", "es"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const DICTIONARIES: Record<Locale, Messages> = { en, "pt-BR": ptBR, es };

/**
 * The admin's language from a locale tag as Shopify (`locale` search param: "pt-BR", "es-419",
 * "en") or the shop row ("pt_BR", "pt") writes it; null when none of ours fits.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const normalized = tag.trim().replace(/_/g, "-").toLowerCase();
  if (!normalized) return null;
  const language = normalized.split("-")[0];
  if (language === "pt") return "pt-BR"; // pt-PT merchants read pt-BR better than English
  if (language === "es") return "es";
  if (language === "en") return "en";
  return null;
}

/** First of: the request's `locale` param (Shopify's embedded admin, or the demo), the shop's locale, English. */
export function resolveLocale(input: { param?: string | null; shopLocale?: string | null }): Locale {
  return matchLocale(input.param) ?? matchLocale(input.shopLocale) ?? DEFAULT_LOCALE;
}

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export function interpolate(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? `{${name}}`));
}

export interface Formatter {
  locale: Locale;
  t: Translate;
  /** A key that may not exist (a code from the data, e.g. a reject reason): its text, or null. */
  maybe: (key: string, vars?: Vars) => string | null;
  number: (value: number) => string;
  /** A calendar date (stored at UTC midnight or as an instant), written in the locale, read in UTC. */
  date: (value: Date | string) => string;
  dateTime: (value: Date | string) => string;
  currency: (value: number, currency: string) => string;
  /** Seconds as a short duration ("2 min 5 s"). */
  duration: (seconds: number) => string;
}

/** Everything a screen needs to speak the merchant's language. Pure: the same on server and client. */
export function formatter(locale: Locale): Formatter {
  const dict = DICTIONARIES[locale];
  const numbers = new Intl.NumberFormat(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const dateTimes = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" });
  const t: Translate = (key, vars) => interpolate(dict[key], vars);
  return {
    locale,
    t,
    maybe: (key, vars) => (key in dict ? interpolate(dict[key as MessageKey], vars) : null),
    number: (value) => numbers.format(value),
    date: (value) => dates.format(typeof value === "string" ? new Date(value) : value),
    dateTime: (value) => dateTimes.format(typeof value === "string" ? new Date(value) : value),
    currency: (value, currency) => new Intl.NumberFormat(locale, { style: "currency", currency }).format(value),
    duration: (seconds) => {
      const s = Math.max(0, Math.round(seconds));
      const unit = (value: number, u: "hour" | "minute" | "second") => new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "narrow" }).format(value);
      if (s < 60) return unit(s, "second");
      if (s < 3600) return `${unit(Math.floor(s / 60), "minute")} ${unit(s % 60, "second")}`;
      return `${unit(Math.floor(s / 3600), "hour")} ${unit(Math.floor((s % 3600) / 60), "minute")}`;
    },
  };
}
