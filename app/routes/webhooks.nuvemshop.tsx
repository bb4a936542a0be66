import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveNuvemshopWebhook } from "../services/restore/nuvemshop-webhooks.server";

/**
 * Every Nuvemshop webhook Carryover subscribes to (app/services/nuvemshop/webhook-subscriptions.server.ts):
 * customer/created, customer/updated, order/paid, order/cancelled, app/uninstalled and the LGPD
 * store/redact, customers/redact, customers/data_request (order/voided is acted on too when it comes).
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  return Response.json(await receiveNuvemshopWebhook(request));
};
