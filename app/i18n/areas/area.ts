/**
 * One screen area's strings in every admin language, kept in its own file so that screens grow without
 * touching each other's dictionaries. en.ts, pt-BR.ts and es.ts spread every area; the type makes each
 * language carry exactly the English keys (i18n.test.ts checks the placeholders).
 */
export interface Area<E extends Record<string, string>> {
  en: E;
  "pt-BR": Record<keyof E, string>;
  es: Record<keyof E, string>;
}

export function area<const E extends Record<string, string>>(dictionaries: Area<E>): Area<E> {
  return dictionaries;
}
