/**
 * A local stand-in for every platform API origin during a reliability test: the app's settings point
 * SHOPIFY_ADMIN_API_ORIGIN, NUVEMSHOP_API_ORIGIN and NUVEMSHOP_OAUTH_ORIGIN here (before any app module
 * reads them), so a screen that asks a store for live figures never leaves the machine. It answers
 * every request with a 503 and keeps what it was sent (method, path, headers), so a test can also check
 * what the app put in its outgoing requests. Imports no app module.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SinkRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Sink {
  url: string;
  requests: SinkRequest[];
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: "the reliability suite's stand-in store answers nothing" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Points the app's platform origins at the sink (call from vi.hoisted, before the app's settings are read). */
export function pointPlatformsAt(sink: Sink): void {
  process.env.SHOPIFY_ADMIN_API_ORIGIN = sink.url;
  process.env.NUVEMSHOP_API_ORIGIN = sink.url;
  process.env.NUVEMSHOP_OAUTH_ORIGIN = sink.url;
}
