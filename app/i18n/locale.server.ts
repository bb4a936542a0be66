import type { Shop } from "@prisma/client";
import { resolveLocale, type Locale } from "./index";

/** The admin's language for this request: Shopify's (or the demo's) `locale` param, else the shop's. */
export function requestLocale(request: Request, shop: Pick<Shop, "locale">): Locale {
  return resolveLocale({ param: new URL(request.url).searchParams.get("locale"), shopLocale: shop.locale });
}
