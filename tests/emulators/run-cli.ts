// The process lifecycle both emulator CLIs share: parse, start, print one line, stop on a signal.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export class CliError extends Error {}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

export function runEmulatorCli<O>(
  name: string,
  parse: (argv: string[], env: NodeJS.ProcessEnv) => O,
  start: (options: O) => Promise<{ url: string; close(): Promise<void> }>,
): void {
  const main = async () => {
    let options: O;
    try {
      options = parse(process.argv.slice(2), process.env);
    } catch (e) {
      if (e instanceof CliError) {
        const help = process.argv.includes("--help") || process.argv.includes("-h");
        (help ? console.log : console.error)(e.message);
        process.exit(help ? 0 : 2);
      }
      throw e;
    }
    const emulator = await start(options);
    console.log(`${name} listening on ${emulator.url}`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      void emulator.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(`${name}: error while stopping on ${signal}:`, e);
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  };
  main().catch((e: unknown) => {
    console.error(`${name} failed to start:`, e);
    process.exit(1);
  });
}
