import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { jobEngine } from "./jobs/dispatch.server";
import { webIsBusy } from "./jobs/web-traffic.server";
import { startJobWorker, type JobWorker } from "./jobs/worker.server";
import { env } from "./env.server";
import { applySecurityHeaders } from "./security-headers.server";
import { addDocumentResponseHeaders } from "./shopify.server";

// server.mjs sets the same headers on every response Express writes (resource routes, static files):
// it takes the function from the server build's entry module.
export { applySecurityHeadersToNode } from "./security-headers.server";
/** server.mjs reports each request, so the in-process job runner can yield to them. */
export { noteHttpRequest } from "./jobs/web-traffic.server";

export const streamTimeout = 5000;

/**
 * The app server's background worker (decisions 0012, 0019): the one place a web process starts
 * one. The server build evaluates this module once per process (server.mjs imports the build at
 * start-up; `remix vite:dev` on the first request), and a global guard keeps a Vite dev reload from
 * starting a second loop. With the in-process engine (SQLite's default) it runs every job kind
 * next to any other worker — the Job table's compare-and-set claim lets exactly one run each job;
 * with pg-boss (PostgreSQL's default) jobs run in `npm run worker` processes and the web process
 * runs none unless CARRYOVER_WORKER=on. On SIGTERM/SIGINT (server.mjs) a running job stops at its
 * next checkpoint and goes back to the queue.
 */
function startWebProcessWorker(): void {
  const wanted = process.env.CARRYOVER_WORKER ?? (jobEngine() === "in-process" ? "on" : "off");
  if (wanted === "off" || globalThis.__carryoverWorker || globalThis.__carryoverWebWorker) return;
  // Its HTTP requests go first (decision 0021): a job starts in a quiet moment, or after a second.
  globalThis.__carryoverWebWorker = startJobWorker({ yieldTo: () => webIsBusy() });
}

/** server.mjs calls this on SIGTERM/SIGINT before it exits, so a running job is released at a checkpoint. */
export async function stopBackgroundWork(): Promise<void> {
  const worker = globalThis.__carryoverWebWorker;
  globalThis.__carryoverWebWorker = undefined;
  if (worker) await (await worker).stop();
}

declare global {
  var __carryoverWebWorker: Promise<JobWorker> | undefined;
}

startWebProcessWorker();

/** For `npm run worker` (scripts/worker.mjs): a worker process built from the same server build. */
export { startJobWorker } from "./jobs/worker.server";

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Shopify's frame-ancestors for the embedded admin (a request with ?shop=), then the rest of
  // app/security-headers.server.ts ('none' for every other document).
  addDocumentResponseHeaders(request, responseHeaders);
  applySecurityHeaders(responseHeaders, { production: env().NODE_ENV === "production" });
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

/** Data requests (client-side navigation, form submissions) get the same headers as documents. */
export function handleDataRequest(response: Response): Response {
  const options = { production: env().NODE_ENV === "production" };
  try {
    applySecurityHeaders(response.headers, options);
    return response;
  } catch {
    // Headers of a Response.redirect() are immutable: answer with a copy.
    const copy = new Response(response.body, response);
    applySecurityHeaders(copy.headers, options);
    return copy;
  }
}
