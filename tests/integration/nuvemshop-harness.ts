// The Nuvemshop integration tests' world: the emulator (API, OAuth, signed webhook deliveries) and a
// small HTTP server standing for the app, which hands the requests it receives to the real route modules
// (the emulator delivers webhooks to it over real HTTP). Started from vi.hoisted, before any app module
// reads the environment, so that the app's settings point at both. Imports no app module at load time.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startNuvemshopEmulator, type NuvemshopEmulator } from "../emulators/nuvemshop/server";

export const APP_ID = 4321;
export const APP_SECRET = "nuvemshop-integration-secret";

export interface NuvemshopHarness {
  emulator: NuvemshopEmulator;
  appUrl: string;
  storeId: number;
  close(): Promise<void>;
}

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;

/** Routes the stand-in app serves: path → the route module's action. */
const ROUTES: Record<string, () => Promise<Handler>> = {
  "/webhooks/nuvemshop": async () => (await import("~/routes/webhooks.nuvemshop")).action as Handler,
};

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(`${origin}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body && req.method !== "GET" ? { body } : {}) });
}

export async function startNuvemshopHarness(options: { orders?: number } = {}): Promise<NuvemshopHarness> {
  // A store id of its own, so that test files sharing one database never meet.
  const storeId = 2_000_000 + Math.floor(Math.random() * 7_000_000);
  let origin = "";
  const server: Server = createServer((req, res) => {
    void (async () => {
      const route = ROUTES[new URL(req.url ?? "/", "http://x").pathname];
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const request = await toRequest(req, origin);
      let response: Response;
      try {
        const result = await (await route())({ request, params: {}, context: {} });
        response = result instanceof Response ? result : Response.json(result);
      } catch (error) {
        if (!(error instanceof Response)) {
          res.writeHead(500, { "Content-Type": "text/plain" }).end(error instanceof Error ? error.stack : String(error));
          return;
        }
        response = error;
      }
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = await startNuvemshopEmulator({ storeId, customers: 20, orders: options.orders ?? 20, appId: APP_ID, appSecret: APP_SECRET, appUrl: origin, bucket: { size: 10_000, leakPerSecond: 1000 } });
  Object.assign(process.env, {
    SHOPIFY_APP_URL: origin,
    NUVEMSHOP_APP_ID: String(APP_ID),
    NUVEMSHOP_APP_SECRET: APP_SECRET,
    NUVEMSHOP_OAUTH_ORIGIN: emulator.url,
    NUVEMSHOP_API_ORIGIN: emulator.url,
  });
  return {
    emulator,
    appUrl: origin,
    storeId,
    close: async () => {
      await emulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** `name=value` pairs of a response's Set-Cookie headers, as a Cookie header would carry them. */
export function cookiesOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = (pair ?? "").indexOf("=");
    if (eq > 0) out[pair!.slice(0, eq).trim()] = decodeURIComponent(pair!.slice(eq + 1).trim());
  }
  return out;
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("; ");
}

/**
 * The merchant installs (or signs in): /nuvemshop/install → the emulator's authorize page → the
 * callback, with the state cookie. Returns the callback's answer and the admin session it set.
 */
export async function installViaOAuth(appUrl: string): Promise<{ response: Response; adminCookie: string }> {
  const { callRoute } = await import("../support/remix");
  const { loader: installLoader } = await import("~/routes/nuvemshop.install");
  const { loader: callbackLoader } = await import("~/routes/nuvemshop.callback");
  const { STATE_COOKIE } = await import("~/services/nuvemshop/oauth-state.server");
  const { ADMIN_SESSION_COOKIE } = await import("~/services/nuvemshop/admin-session.server");
  const start = await callRoute(installLoader, new Request(`${appUrl}/nuvemshop/install`));
  const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
  const state = cookiesOf(start)[STATE_COOKIE] ?? "";
  const response = await callRoute(callbackLoader, new Request(consent.headers.get("location") ?? "", { headers: { cookie: cookieHeader({ [STATE_COOKIE]: state }) } }));
  return { response, adminCookie: cookiesOf(response)[ADMIN_SESSION_COOKIE] ?? "" };
}

export interface RanJob {
  kind: string;
  topic: string;
  /** The outcome the handler left on the job, or the error it failed with. */
  outcome: string;
}

/**
 * Runs this shop's queued jobs, oldest first, through the app's real job handlers, the way the worker
 * does (running, then succeeded or failed) — but only this shop's: other test files' leftovers in the
 * shared database are not touched.
 */
export async function runShopJobs(shopId: string): Promise<RanJob[]> {
  const prisma = (await import("~/db.server")).default;
  const { jobHandlers } = await import("~/jobs/handlers.server");
  const ran: RanJob[] = [];
  for (;;) {
    const job = await prisma.job.findFirst({ where: { shopId, state: "queued" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    if (!job) return ran;
    const claimed = await prisma.job.update({ where: { id: job.id }, data: { state: "running", attempts: { increment: 1 }, startedAt: new Date(), heartbeatAt: new Date() } });
    const payload = JSON.parse(job.payloadJson) as { topic: string };
    let checkpoint: unknown = null;
    const handler = jobHandlers[job.kind as keyof typeof jobHandlers] as unknown as (ctx: object) => Promise<void>;
    try {
      await handler({ job: claimed, payload, checkpoint: null, progress: async (u: { checkpoint?: unknown }) => void (checkpoint = u.checkpoint ?? checkpoint) });
      await prisma.job.update({ where: { id: job.id }, data: { state: "succeeded", finishedAt: new Date(), checkpoint: JSON.stringify(checkpoint) } });
      ran.push({ kind: job.kind, topic: payload.topic, outcome: (checkpoint as { outcome?: { outcome?: string } } | null)?.outcome?.outcome ?? "done" });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await prisma.job.update({ where: { id: job.id }, data: { state: "failed", finishedAt: new Date(), error: message } });
      ran.push({ kind: job.kind, topic: payload.topic, outcome: `failed: ${message}` });
    }
  }
}
