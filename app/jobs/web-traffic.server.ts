/**
 * The web process's HTTP traffic, as its in-process job runner sees it (decision 0021). With the
 * in-process engine (SQLite's default) jobs share the web process's one event loop: a webhook
 * restore costs several times what answering the webhook does, so at a few hundred deliveries a
 * second the restores would take the loop from the requests and answers would wait seconds. The
 * runner therefore starts its next job when no request is in flight or just arrived (waiting at
 * most `yieldAtMostMs`, so that a steady stream of requests slows the jobs down but never stops
 * them); the queue catches up when the traffic drops. server.mjs reports each request here.
 */
let inFlight = 0;
let lastArrival = Number.NEGATIVE_INFINITY;

/** Called by the HTTP server for each request, with its response. */
export function noteHttpRequest(response: { once(event: "close", listener: () => void): unknown }): void {
  inFlight++;
  lastArrival = performance.now();
  response.once("close", () => {
    inFlight--;
  });
}

/** True while a request is being answered, or arrived less than `quietMs` ago. */
export function webIsBusy(quietMs = 20): boolean {
  return inFlight > 0 || performance.now() - lastArrival < quietMs;
}
