import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, parseArgs } from "./cli.js";

describe("cli", () => {
  it("reads flags and NUVEMSHOP_EMULATOR_* variables (flags win)", () => {
    const opts = parseArgs(
      ["--port", "4020", "--customers=3000", "--orders", "9000", "--store-id", "42", "--access-token", "T", "--app-url", "http://127.0.0.1:3000", "--app-secret", "S", "--bucket-size", "400", "--webhook-path", "/hooks", "--user-agent-required", "false"],
      { NUVEMSHOP_EMULATOR_SEED: "7", NUVEMSHOP_EMULATOR_PORT: "1", NUVEMSHOP_EMULATOR_APP_ID: "99" },
    );
    expect(opts).toEqual({
      port: 4020,
      customers: 3000,
      orders: 9000,
      seed: 7,
      storeId: 42,
      accessToken: "T",
      appUrl: "http://127.0.0.1:3000",
      appSecret: "S",
      appId: 99,
      userAgentRequired: false,
      webhookPaths: { "*": "/hooks" },
      bucket: { size: 400, leakPerSecond: 2 },
    });
    expect(() => parseArgs(["--nope", "1"], {})).toThrow(CliError);
    expect(() => parseArgs(["--port", "x"], {})).toThrow(/must be a number/);
    expect(parseArgs(["--date-offset", "-0300"], {})).toEqual({ dateOffset: "-0300" });
    expect(() => parseArgs(["--date-offset", "Z"], {})).toThrow(/\+0000 or -0300/);
  });

  it("prints one line with the URL and stops on SIGTERM", async () => {
    // node --import tsx, not the tsx wrapper: the wrapper relays signals to a second process and,
    // on a loaded machine, can die of the SIGTERM itself (exit 143) before the emulator's own exit.
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "cli.ts"), "--port", "0", "--customers", "20", "--orders", "40"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${String(code)}: ${out}`)));
    });
    expect(line).toMatch(/^nuvemshop-emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.replace("nuvemshop-emulator listening on ", "");
    const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { customers: number };
    expect(health.customers).toBe(20);
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners("exit");
      child.once("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
  }, 30_000);
});
