import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { jobHandlers } from "./jobs/handlers.server";
import { JobRunner, startWorkerLoop } from "./jobs/runner.server";
import { env } from "./env.server";
import { applySecurityHeaders } from "./security-headers.server";
import { addDocumentResponseHeaders } from "./shopify.server";

// server.mjs sets the same headers on every response Express writes (resource routes, static files):
// it takes the function from the server build's entry module.
export { applySecurityHeadersToNode } from "./security-headers.server";

export const streamTimeout = 5000;

declare global {
  var __carryoverWorker: ReturnType<typeof startWorkerLoop> | undefined;
}

/**
 * The app server's background worker (decision 0012): the one place it starts. The server build
 * evaluates this module once per process (server.mjs imports the build at start-up; `remix vite:dev`
 * on the first request), and the global guard keeps a Vite dev reload from starting a second loop.
 * It runs every job kind (webhook jobs within about a second of their delivery, syncs, applies) next
 * to any other worker — the Job table's compare-and-set claim lets exactly one run each job.
 * CARRYOVER_WORKER=off disables it (a web-only instance, with workers elsewhere). On SIGTERM/SIGINT it
 * stops taking jobs; a job cut off by the exit is taken over by the next process (decision 0008).
 */
function startWorker(): void {
  if (process.env.CARRYOVER_WORKER === "off" || globalThis.__carryoverWorker) return;
  const worker = startWorkerLoop(new JobRunner({ handlers: jobHandlers }), {
    idleMs: 500,
    onError: (error) => console.error("[carryover worker]", error),
  });
  globalThis.__carryoverWorker = worker;
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
startWorker();

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
