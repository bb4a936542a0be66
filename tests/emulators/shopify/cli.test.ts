import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, parseArgs } from "./cli.js";

describe("cli", () => {
  it("reads flags and SHOPIFY_EMULATOR_* variables (flags win)", () => {
    const opts = parseArgs(
      ["--port", "4010", "--customers=3000", "--orders", "9000", "--shop", "x.myshopify.com", "--access-token", "T", "--app-url", "http://127.0.0.1:3000", "--api-secret", "S", "--max-available", "1000"],
      { SHOPIFY_EMULATOR_SEED: "7", SHOPIFY_EMULATOR_PORT: "1", SHOPIFY_EMULATOR_APP_ID: "42" },
    );
    expect(opts).toEqual({
      port: 4010,
      customers: 3000,
      orders: 9000,
      seed: 7,
      shopDomain: "x.myshopify.com",
      accessToken: "T",
      appUrl: "http://127.0.0.1:3000",
      apiSecret: "S",
      appId: "42",
      throttle: { maximumAvailable: 1000, restoreRate: 100 },
    });
    expect(() => parseArgs(["--nope", "1"], {})).toThrow(CliError);
    expect(() => parseArgs(["--port", "x"], {})).toThrow(/must be a number/);
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
    expect(line).toMatch(/^shopify-emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.replace("shopify-emulator listening on ", "");
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
