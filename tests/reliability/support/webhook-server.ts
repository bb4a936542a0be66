/**
 * The app's Shopify webhook routes served over real HTTP, without a build: a node:http server that
 * turns each request into a Fetch Request and calls the route module's `action` as Remix does (a
 * thrown Response is the answer; anything else thrown is a 500). The Shopify emulator delivers its
 * signed webhooks here (its `appUrl`), exactly as it would to the running app.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as appUninstalled from "~/routes/webhooks.app.uninstalled";
import * as customersCreate from "~/routes/webhooks.customers.create";
import * as customersDataRequest from "~/routes/webhooks.customers.data_request";
import * as customersEnable from "~/routes/webhooks.customers.enable";
import * as customersRedact from "~/routes/webhooks.customers.redact";
import * as customersUpdate from "~/routes/webhooks.customers.update";
import * as ordersCancelled from "~/routes/webhooks.orders.cancelled";
import * as ordersPaid from "~/routes/webhooks.orders.paid";
import * as shopRedact from "~/routes/webhooks.shop.redact";

type Action = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

const ROUTES: Record<string, Action> = {
  "/webhooks/app/uninstalled": appUninstalled.action as Action,
  "/webhooks/customers/create": customersCreate.action as Action,
  "/webhooks/customers/data_request": customersDataRequest.action as Action,
  "/webhooks/customers/enable": customersEnable.action as Action,
  "/webhooks/customers/redact": customersRedact.action as Action,
  "/webhooks/customers/update": customersUpdate.action as Action,
  "/webhooks/orders/cancelled": ordersCancelled.action as Action,
  "/webhooks/orders/paid": ordersPaid.action as Action,
  "/webhooks/shop/redact": shopRedact.action as Action,
};

export interface WebhookServer {
  url: string;
  /** Every answer given: path, status, and the body of non-2xx answers. */
  answers: Array<{ path: string; status: number; body?: string }>;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const answers: WebhookServer["answers"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const request = new Request(`http://127.0.0.1:3999${req.url ?? "/"}`, { method: req.method, headers, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
        let response: Response;
        const action = ROUTES[path];
        try {
          const result = action ? await action({ request, params: {}, context: {} }) : new Response("Not Found", { status: 404 });
          response = result instanceof Response ? result : Response.json(result);
        } catch (error) {
          response = error instanceof Response ? error : new Response(error instanceof Error ? error.message : String(error), { status: 500 });
        }
        const body = await response.text();
        answers.push({ path, status: response.status, ...(response.ok ? {} : { body }) });
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
