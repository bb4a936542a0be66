/**
 * Counts the statements a process sends to its database, at the driver (better-sqlite3's
 * Statement.run/get/all/iterate and Database.exec, pg's Client.query), so Prisma's queries and the
 * app's bulk paths are counted alike. The fault tests use it to choose kill points (support/
 * fault-child.ts kills itself on the n-th statement) and to measure a fault-free run. Installed once
 * per process; `onStatement` is called before each statement runs and after it returned.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type Pg from "pg";

type Listener = (when: "before" | "after") => void;

const require = createRequire(import.meta.url);
const listeners = new Set<Listener>();
let pgGate: ((client: unknown) => Promise<void> | null) | null = null;
let installed = false;

function notify(when: "before" | "after") {
  for (const listener of listeners) listener(when);
}

function install() {
  if (installed) return;
  installed = true;
  const pg = require("pg") as typeof Pg;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    notify("before");
    const wait = pgGate?.(this);
    if (wait) {
      // Held until the gate opens (a fault is being arranged), then sent as asked.
      return wait.then(() => query.apply(this, args)).then((value) => {
        notify("after");
        return value;
      });
    }
    const result = query.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      return (result as Promise<unknown>).then((value) => {
        notify("after");
        return value;
      });
    }
    return result;
  } as never;
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const probe = new Database(":memory:");
  const statementProto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ["run", "get", "all", "iterate"]) {
    const original = statementProto[method]!;
    statementProto[method] = function (this: unknown, ...args: unknown[]) {
      notify("before");
      const value = original.apply(this, args);
      notify("after");
      return value;
    };
  }
  const dbProto = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const exec = dbProto.exec!;
  dbProto.exec = function (this: unknown, ...args: unknown[]) {
    notify("before");
    const value = exec.apply(this, args);
    notify("after");
    return value;
  };
}

/** Calls `listener` around every database statement of this process until the returned function is called. */
export function onStatement(listener: Listener): () => void {
  install();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * PostgreSQL only: before each statement of a pg client, `gate(client)` may return a promise that
 * the statement waits for (the fault tests cut the connections meanwhile). null removes it.
 */
export function setPgGate(gate: ((client: unknown) => Promise<void> | null) | null): void {
  install();
  pgGate = gate;
}

/** Runs `work` and tells how many statements it sent and how long it took. */
export async function measured<T>(work: () => Promise<T>): Promise<{ value: T; statements: number; ms: number }> {
  let statements = 0;
  const stop = onStatement((when) => {
    if (when === "before") statements += 1;
  });
  const started = Date.now();
  try {
    const value = await work();
    return { value, statements, ms: Date.now() - started };
  } finally {
    stop();
  }
}
