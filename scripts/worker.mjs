#!/usr/bin/env node
// npm run worker [-- --long N --short N]: one job worker process (decision 0019). Start as many as
// the load needs, on any host that reaches the database. With PostgreSQL (JOB_ENGINE=pg-boss, the
// default there) it takes jobs from pg-boss; with SQLite it runs the in-process engine's loop over
// the Job table (the app server already runs one: a separate worker is only useful there when the
// web process runs with CARRYOVER_WORKER=off). SIGTERM/SIGINT: a running job stops at its next
// checkpoint and goes back to the queue; the process exits once it has.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { installGlobals } from "@remix-run/node";
import { root } from "./lib/prepare.mjs";

installGlobals({ nativeFetch: true });
const { values } = parseArgs({ options: { long: { type: "string" }, short: { type: "string" } } });
const serverBuild = path.join(root, "build/server/index.js");
if (!fs.existsSync(serverBuild)) {
  console.error("worker: no server build in build/server: run `npm run build` first");
  process.exit(2);
}
// The build's entry starts a web-process worker when imported; this process starts its own below.
process.env.CARRYOVER_WORKER = "off";
const build = await import(pathToFileURL(serverBuild).href);
const worker = await build.entry.module.startJobWorker({
  ...(values.long !== undefined ? { long: Number(values.long) } : {}),
  ...(values.short !== undefined ? { short: Number(values.short) } : {}),
});
console.log(JSON.stringify({ msg: "carryover worker started", engine: worker.engine, workerId: worker.workerId }));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    worker.stop().then(
      () => {
        console.log(JSON.stringify({ msg: "carryover worker stopped", workerId: worker.workerId, signal }));
        process.exit(0);
      },
      (error) => {
        console.error("[carryover worker] shutdown:", error);
        process.exit(1);
      },
    );
  });
}
