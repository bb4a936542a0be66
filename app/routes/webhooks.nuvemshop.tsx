import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveNuvemshopWebhook } from "../services/restore/nuvemshop-webhooks.server";

/** Every Nuvemshop webhook Carryover subscribes to (customer/created, order/paid, order/cancelled, order/voided). */
export const action = async ({ request }: ActionFunctionArgs) => {
  return Response.json(await receiveNuvemshopWebhook(request));
};
