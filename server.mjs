// Production HTTP server for the built app (`npm start`), also used by the demo.
// A small Express server instead of remix-serve: it binds to HOST (127.0.0.1 unless told
// otherwise), and runs the same way whatever NODE_ENV is (remix-serve expects a Vite dev server
// when NODE_ENV=development). Every response it writes — pages, data, resource routes (CSV
// downloads, JSON, webhooks), static files, errors — carries the security headers of
// app/security-headers.server.ts (docs/security.md), taken from the server build's entry module.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import express from "express";

installGlobals({ nativeFetch: true });

const root = path.dirname(fileURLToPath(import.meta.url));

/** Runs `fn` once, just before the response's status line and headers are written. */
function beforeHead(res, fn) {
  const writeHead = res.writeHead;
  let done = false;
  res.writeHead = function patchedWriteHead(...args) {
    if (!done) {
      done = true;
      fn();
    }
    return writeHead.apply(this, args);
  };
}

/**
 * The Express app around a Remix server build (the built one, or the one Vite serves in tests).
 * `production` adds Strict-Transport-Security (default: NODE_ENV=production).
 */
export function createApp(build, { production = process.env.NODE_ENV === "production" } = {}) {
  const secure = build.entry?.module?.applySecurityHeadersToNode;
  if (typeof secure !== "function") throw new Error("The server build does not export applySecurityHeadersToNode: run npm run build");
  const app = express();
  app.disable("x-powered-by");
  const noteHttpRequest = build.entry.module.noteHttpRequest;
  app.use((req, res, next) => {
    noteHttpRequest?.(res);
    beforeHead(res, () => secure(res, { production }));
    next();
  });
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: build.mode }));
  return app;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const build = await import(pathToFileURL(path.join(root, "build/server/index.js")).href);
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const server = createApp(build).listen(port, host, () => console.log(`carryover listening on http://${host}:${port}`));
  // Stop taking requests and jobs; a running job stops at its next checkpoint and goes back to the
  // queue for the next process (decision 0019).
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      const closed = new Promise((resolve) => server.close(resolve));
      Promise.all([closed, build.entry.module.stopBackgroundWork?.()]).then(
        () => process.exit(0),
        (error) => {
          console.error("[carryover] shutdown:", error);
          process.exit(1);
        },
      );
    });
  }
}
