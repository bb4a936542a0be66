import { env } from "../../env.server";
import { NuvemshopRest } from "../../platforms/nuvemshop/nuvemshop-rest.server";

export interface NuvemshopAppConfig {
  appId: string;
  appSecret: string;
  oauthOrigin: string;
  /** Replaces https://api.tiendanube.com (the emulator); undefined in production. */
  apiOrigin: string | undefined;
  userAgent: string;
  /** The app's public URL: webhooks are registered at `${appUrl}/webhooks/nuvemshop`. */
  appUrl: string;
  /** Cookies carry `Secure` when the app is served over https. */
  secureCookies: boolean;
}

/** The Nuvemshop app's settings, or a 503 naming what is missing (the server runs without Nuvemshop). */
export function nuvemshopAppConfig(): NuvemshopAppConfig {
  const e = env();
  const missing = [!e.NUVEMSHOP_APP_ID && "NUVEMSHOP_APP_ID", !e.NUVEMSHOP_APP_SECRET && "NUVEMSHOP_APP_SECRET"].filter(Boolean);
  if (!e.NUVEMSHOP_APP_ID || !e.NUVEMSHOP_APP_SECRET) {
    throw new Response(`Nuvemshop is not configured on this server (${missing.join(", ")})`, { status: 503 });
  }
  const appUrl = e.SHOPIFY_APP_URL.replace(/\/+$/, "");
  return {
    appId: e.NUVEMSHOP_APP_ID,
    appSecret: e.NUVEMSHOP_APP_SECRET,
    oauthOrigin: e.NUVEMSHOP_OAUTH_ORIGIN.replace(/\/+$/, ""),
    apiOrigin: e.NUVEMSHOP_API_ORIGIN,
    userAgent: e.NUVEMSHOP_USER_AGENT,
    appUrl,
    secureCookies: appUrl.startsWith("https://"),
  };
}

export function nuvemshopWebhookUrl(config: Pick<NuvemshopAppConfig, "appUrl">): string {
  return `${config.appUrl}/webhooks/nuvemshop`;
}

/** A REST transport for one store and token (`quick`: few retries, for calls made while a request waits). */
export function nuvemshopRest(storeId: string, accessToken: string, options: { quick?: boolean } = {}): NuvemshopRest {
  const e = env();
  return new NuvemshopRest({
    ...(e.NUVEMSHOP_API_ORIGIN ? { origin: e.NUVEMSHOP_API_ORIGIN } : {}),
    storeId,
    accessToken,
    userAgent: e.NUVEMSHOP_USER_AGENT,
    ...(options.quick ? { maxAttempts: 2, timeoutMs: 8_000, maxDelayMs: 2_000 } : {}),
  });
}
