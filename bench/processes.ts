// Process helpers for benchmarks that run their phases and the emulators in processes of their own.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

export const TSX_CLI = path.join("node_modules/tsx/dist/cli.mjs");

/** Runs `node tsx <script> <args>` and returns the JSON of the last line it printed on stdout. */
export function runPhase<T>(tsx: string, script: string, args: string[]): T {
  const r = spawnSync(process.execPath, [tsx, script, ...args], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** An emulator in a process of its own (loopback, a free port); resolves with its URL once it listens. */
export function startEmulatorProcess(cli: string, args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [TSX_CLI, cli, "--host", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        resolve({
          url: m[1]!,
          async stop() {
            child.kill("SIGTERM");
            await exited;
            children.delete(child);
          },
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`${cli} exited (${code}) before listening: ${out}`)));
  });
}
