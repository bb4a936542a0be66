import { createContext, useContext, useMemo, type ReactNode } from "react";
import { DEFAULT_LOCALE, formatter, type Formatter, type Locale } from "./index";

const I18nContext = createContext<Formatter>(formatter(DEFAULT_LOCALE));

/** Set once by the admin layout (app.tsx) from the locale its loader resolved. */
export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => formatter(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The merchant's language in any admin component: t(), number(), date(), currency()… */
export function useI18n(): Formatter {
  return useContext(I18nContext);
}
