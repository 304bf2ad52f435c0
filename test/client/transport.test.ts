/**
 * The SDK's transport over real sockets: retries on 503/429 through a small proxy in front of a real
 * `lathe server` (only where repeating is safe), the bound on retries, a clear message when no server
 * listens, the timeout, credentials and query strings as sent, and non-JSON error bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import type { LatheError } from "../../src/core/errors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void | Promise<void>;

/** A loopback HTTP server running `handler`; returns its URL and a closer. */
async function listen(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => void handler(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Answers the first `failures` requests with `status`, then forwards to the real server. Counts requests. */
async function flakyProxy(failures: number, status = 503) {
  const seen: string[] = [];
  const proxy = await listen(async (request, body, response) => {
    seen.push(`${request.method} ${request.url}`);
    if (seen.length <= failures) {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: "try again" }));
      return;
    }
    const forwarded = await fetch(`${server.url}${request.url}`, {
      method: request.method,
      headers: { "content-type": request.headers["content-type"] ?? "application/json" },
      body: request.method === "GET" ? undefined : body,
    });
    response.writeHead(forwarded.status, { "content-type": forwarded.headers.get("content-type") ?? "text/plain" });
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  return { ...proxy, seen };
}

async function failure(promise: Promise<unknown>): Promise<LatheError> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as LatheError,
  );
}

describe("retries", () => {
  it("retries a read after a 503 and succeeds", async () => {
    const proxy = await flakyProxy(1);
    const client = new LatheClient({ trackingUri: proxy.url, backoffMs: 5 });
    expect((await client.getExperiment("0")).name).toBe("Default");
    expect(proxy.seen).toHaveLength(2);
    await proxy.close();
  });

  it("retries log calls, which the server deduplicates, after a 503", async () => {
    const direct = new LatheClient({ trackingUri: server.url });
    const { info } = await direct.createRun({ experimentId: "0" });
    const proxy = await flakyProxy(2);
    const client = new LatheClient({ trackingUri: proxy.url, backoffMs: 5 });
    await client.logMetric(info.run_id, "m", 1, { step: 0, timestamp: 10 });
    expect(proxy.seen).toHaveLength(3);
    expect(await direct.getMetricHistory(info.run_id, "m")).toHaveLength(1);
    await proxy.close();
  });

  it("does not repeat a create after an ambiguous 503, but does after a 429", async () => {
    const unavailable = await flakyProxy(1, 503);
    const client = new LatheClient({ trackingUri: unavailable.url, backoffMs: 5 });
    const error = await failure(client.createExperiment("not-repeated"));
    expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
    expect(error.message).toBe("try again");
    expect(unavailable.seen).toHaveLength(1);
    await unavailable.close();

    const limited = await flakyProxy(1, 429);
    const retried = new LatheClient({ trackingUri: limited.url, backoffMs: 5 });
    expect(await retried.createExperiment("created-after-429")).toMatch(/^\d+$/);
    expect(limited.seen).toHaveLength(2);
    await limited.close();
  });

  it("gives up after maxRetries", async () => {
    const proxy = await flakyProxy(100);
    const client = new LatheClient({ trackingUri: proxy.url, backoffMs: 1, maxRetries: 3 });
    expect((await failure(client.getExperiment("0"))).code).toBe("TEMPORARILY_UNAVAILABLE");
    expect(proxy.seen).toHaveLength(4);
    await proxy.close();
  });
});

describe("connection failures", () => {
  it("says which URL could not be reached and how to start a server", async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    const client = new LatheClient({ trackingUri: closed.url, backoffMs: 1, maxRetries: 2 });
    const error = await failure(client.searchExperiments());
    expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
    expect(error.message).toContain(`Could not reach the tracking server at ${closed.url}`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("after 3 attempts");
    expect(error.message).toContain("lathe server");
    expect(error.message).toContain("MLFLOW_TRACKING_URI");
  });

  it("times out a server that does not answer", async () => {
    const silent = await listen(() => undefined);
    const client = new LatheClient({ trackingUri: silent.url, timeoutMs: 100, maxRetries: 0 });
    const error = await failure(client.getExperiment("0"));
    expect(error.message).toMatch(/did not answer GET \/api\/2\.0\/mlflow\/experiments\/get within 0\.1 s/);
    await silent.close();
  });
});

describe("what goes on the wire", () => {
  async function capture() {
    const seen: { url: string; method: string; headers: IncomingMessage["headers"]; body: string }[] = [];
    const target = await listen((request, body, response) => {
      seen.push({
        url: request.url ?? "",
        method: request.method ?? "",
        headers: request.headers,
        body: body.toString(),
      });
      response.writeHead(200, { "content-type": "application/json" });
      // A Python server's json module writes bare NaN; the client reads it anyway.
      response.end('{"metrics": [{"key": "m", "value": NaN, "timestamp": 1, "step": 0, "run_id": "r"}]}');
    });
    return { ...target, seen };
  }

  it("sends GET fields as a query string with repeated keys, and bodies as JSON with NaN as a string", async () => {
    const target = await capture();
    const client = new LatheClient({ trackingUri: `${target.url}/`, env: {} });
    const points = await client.getMetricHistoryBulkInterval({ runIds: ["a", "b"], metricKey: "loss" });
    expect(points[0]?.value).toBeNaN();
    await client.logMetric("a", "loss", Number.NaN, { timestamp: 5 });
    expect(target.seen[0]?.url).toBe(
      "/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&run_ids=b&metric_key=loss",
    );
    expect(target.seen[1]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(target.seen[1]?.body ?? "{}")).toEqual({
      run_id: "a",
      key: "loss",
      value: "NaN",
      timestamp: 5,
      step: 0,
    });
    await target.close();
  });

  it("sends Bearer auth from MLFLOW_TRACKING_TOKEN, else Basic from username and password", async () => {
    const target = await capture();
    const read = (client: LatheClient) => client.getMetricHistoryBulkInterval({ runIds: ["r"], metricKey: "m" });
    await read(new LatheClient({ env: { MLFLOW_TRACKING_URI: target.url, MLFLOW_TRACKING_TOKEN: "t0k" } }));
    await read(
      new LatheClient({
        env: { MLFLOW_TRACKING_URI: target.url, MLFLOW_TRACKING_USERNAME: "ann", MLFLOW_TRACKING_PASSWORD: "pw" },
      }),
    );
    await read(new LatheClient({ trackingUri: target.url, env: {} }));
    expect(target.seen.map((request) => request.headers.authorization)).toEqual([
      "Bearer t0k",
      `Basic ${Buffer.from("ann:pw").toString("base64")}`,
      undefined,
    ]);
    expect(target.seen[0]?.headers["user-agent"]).toMatch(/^lathe-client\//);
    await target.close();
  });

  it("maps a non-JSON 404 to ENDPOINT_NOT_FOUND", async () => {
    const target = await listen((_request, _body, response) => {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<h1>Not Found</h1>");
    });
    const error = await failure(new LatheClient({ trackingUri: target.url }).getRun("r"));
    expect(error.code).toBe("ENDPOINT_NOT_FOUND");
    expect(error.message).toContain("GET /api/2.0/mlflow/runs/get failed with HTTP 404");
    await target.close();
  });

  it("defaults to http://127.0.0.1:5000 and refuses a tracking URI that is not HTTP", () => {
    expect(new LatheClient({ env: {} }).trackingUri).toBe("http://127.0.0.1:5000");
    expect(() => new LatheClient({ env: { MLFLOW_TRACKING_URI: "file:./mlruns" } })).toThrow(/not an http\(s\) URL/);
  });
});
