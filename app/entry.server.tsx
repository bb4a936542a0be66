import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { jobHandlers } from "./jobs/handlers.server";
import { JobRunner, startWorkerLoop } from "./jobs/runner.server";
import { addDocumentResponseHeaders } from "./shopify.server";

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
  addDocumentResponseHeaders(request, responseHeaders);
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
