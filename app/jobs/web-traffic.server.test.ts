import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { noteHttpRequest, webIsBusy } from "./web-traffic.server";

describe("web traffic as the in-process job runner sees it", () => {
  it("is busy while a request is in flight, and until quietMs after the last one arrived", async () => {
    const response = new EventEmitter();
    noteHttpRequest(response);
    expect(webIsBusy(0)).toBe(true); // in flight
    response.emit("close");
    expect(webIsBusy(60_000)).toBe(true); // arrived just now
    await new Promise((r) => setTimeout(r, 5));
    expect(webIsBusy(1)).toBe(false);
  });

  it("counts each request until its own response closes", () => {
    const a = new EventEmitter();
    const b = new EventEmitter();
    noteHttpRequest(a);
    noteHttpRequest(b);
    a.emit("close");
    expect(webIsBusy(0)).toBe(true);
    b.emit("close");
    expect(webIsBusy(0)).toBe(false);
  });
});
