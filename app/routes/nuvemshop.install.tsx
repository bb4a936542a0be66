import type { LoaderFunctionArgs } from "@remix-run/node";
import { startNuvemshopAuthorization } from "../services/nuvemshop/install.server";

/**
 * Install or sign in to Carryover from Nuvemshop (decision 0015): a fresh single-use
 * state in this browser's cookie, then Nuvemshop's authorize page, which comes back to /nuvemshop/callback.
 */
export const loader = async (_args: LoaderFunctionArgs) => {
  const { location, setCookie } = await startNuvemshopAuthorization();
  return new Response(null, { status: 302, headers: { Location: location, "Set-Cookie": setCookie, "Cache-Control": "no-store" } });
};
