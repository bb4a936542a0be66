/** The old e-commerce platforms the Platforms step offers (DESIGN.md). Shared by the form and its validation. */
export const OLD_PLATFORMS = ["vtex", "tray", "loja_integrada", "woocommerce", "magento", "shopify", "nuvemshop", "other"] as const;
export type OldPlatform = (typeof OLD_PLATFORMS)[number];
