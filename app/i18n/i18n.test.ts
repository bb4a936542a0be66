import { describe, expect, it } from "vitest";
import { DICTIONARIES, LOCALES, formatter, matchLocale, resolveLocale } from "./index";
import { en } from "./en";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("admin dictionaries", () => {
  for (const locale of LOCALES) {
    it(`${locale} has every key of en, no other, each with en's placeholders`, () => {
      const dict = DICTIONARIES[locale] as Record<string, string>;
      expect(Object.keys(dict).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        expect(typeof dict[key], key).toBe("string");
        expect(dict[key]!.trim(), key).not.toBe("");
        expect(placeholders(dict[key]!), key).toEqual(placeholders(text));
      }
    });
  }

  it("translates what a merchant reads, not only copies English", () => {
    expect(DICTIONARIES["pt-BR"]["home.start"]).not.toBe(en["home.start"]);
    expect(DICTIONARIES.es["home.start"]).not.toBe(en["home.start"]);
  });
});

describe("the admin's locale", () => {
  it("follows Shopify's locale param, then the shop's locale, then English", () => {
    expect(resolveLocale({ param: "pt-BR", shopLocale: "es" })).toBe("pt-BR");
    expect(resolveLocale({ param: "fr", shopLocale: "es_AR" })).toBe("es");
    expect(resolveLocale({ param: null, shopLocale: null })).toBe("en");
    expect(matchLocale("es-419")).toBe("es");
    expect(matchLocale("pt-PT")).toBe("pt-BR");
    expect(matchLocale("de")).toBeNull();
  });
});

describe("formatting per locale", () => {
  it("writes numbers, dates and money the local way", () => {
    expect(formatter("en").number(1234567)).toBe("1,234,567");
    expect(formatter("pt-BR").number(1234567)).toBe("1.234.567");
    expect(formatter("es").number(1234567)).toMatch(/^1\.234\.567$/);
    expect(formatter("pt-BR").currency(1234.5, "BRL")).toMatch(/^R\$\s1\.234,50$/);
    expect(formatter("en").date("2026-10-01T00:00:00.000Z")).toBe("Oct 1, 2026");
    expect(formatter("pt-BR").date("2026-10-01T00:00:00.000Z")).toMatch(/1 de out\.? de 2026/);
  });

  it("interpolates and falls back for codes that have no text", () => {
    const f = formatter("pt-BR");
    expect(f.t("upload.tooLarge", { mb: 200 })).toBe("O arquivo passa do limite de 200 MB.");
    expect(f.maybe("reject.INVALID_EMAIL")).toBe("E-mail inválido");
    expect(f.maybe("reject.SOMETHING_NEW")).toBeNull();
  });
});
