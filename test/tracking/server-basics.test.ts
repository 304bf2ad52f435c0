/**
 * Contract tests for the server's wire rules (reference/mlflow.md §0–1) through a real
 * `lathe server`: /health, /version, /openapi.json, unknown routes, Content-Type checks with the
 * echoed type sanitised, double-encoded JSON bodies, unknown fields, and query-string booleans.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestParams } from "../../src/server/params.js";
import { VERSION } from "../../src/version.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

/** Sends a raw body with the given Content-Type to an `/api/2.0/mlflow` endpoint. */
async function post(path: string, body: string, contentType: string) {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

/** Every tracking endpoint of reference/mlflow.md §2.1–2.4 this server serves, with its prefix. */
const ENDPOINTS: readonly [string, "get" | "post"][] = [
  ["/api/2.0/mlflow/experiments/create", "post"],
  ["/api/2.0/mlflow/experiments/get", "get"],
  ["/api/2.0/mlflow/experiments/get-by-name", "get"],
  ["/api/2.0/mlflow/experiments/search", "post"],
  ["/api/2.0/mlflow/experiments/search", "get"],
  ["/api/2.0/mlflow/experiments/list", "get"],
  ["/api/2.0/mlflow/experiments/update", "post"],
  ["/api/2.0/mlflow/experiments/delete", "post"],
  ["/api/2.0/mlflow/experiments/restore", "post"],
  ["/api/2.0/mlflow/experiments/set-experiment-tag", "post"],
  ["/api/2.0/mlflow/experiments/delete-experiment-tag", "post"],
  ["/api/2.0/mlflow/runs/create", "post"],
  ["/api/2.0/mlflow/runs/get", "get"],
  ["/api/2.0/mlflow/runs/update", "post"],
  ["/api/2.0/mlflow/runs/delete", "post"],
  ["/api/2.0/mlflow/runs/restore", "post"],
  ["/api/2.0/mlflow/runs/log-metric", "post"],
  ["/api/2.0/mlflow/runs/log-parameter", "post"],
  ["/api/2.0/mlflow/runs/set-tag", "post"],
  ["/api/2.0/mlflow/runs/delete-tag", "post"],
  ["/api/2.0/mlflow/runs/log-batch", "post"],
  ["/api/2.0/mlflow/runs/log-model", "post"],
  ["/api/2.0/mlflow/runs/log-inputs", "post"],
  ["/api/2.0/mlflow/runs/search", "post"],
  ["/api/2.0/mlflow/metrics/get-history", "get"],
  ["/api/2.0/mlflow/metrics/get-history-bulk-interval", "get"],
  ["/ajax-api/2.0/mlflow/metrics/get-history-bulk", "get"],
  ["/api/2.0/mlflow/artifacts/list", "get"],
  ["/health", "get"],
  ["/version", "get"],
];

describe("health, version and OpenAPI", () => {
  it("answers /health with 200 text OK", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("OK");
  });

  it("answers /version with the version as text", async () => {
    const response = await fetch(`${server.url}/version`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(VERSION);
  });

  it("lists every endpoint path and method in /openapi.json", async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    for (const [path, method] of ENDPOINTS) {
      expect(document.paths[path], path).toBeDefined();
      expect(Object.keys(document.paths[path] ?? {}), path).toContain(method);
    }
  });

  it("serves every path /openapi.json lists (no ENDPOINT_NOT_FOUND)", async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      if (path.includes("{")) continue;
      for (const method of Object.keys(operations)) {
        if (method !== "get" && method !== "post") continue;
        const response = await server.call(method.toUpperCase(), path, {});
        expect(response.body.error_code, `${method} ${path}`).not.toBe("ENDPOINT_NOT_FOUND");
      }
    }
  });
});

describe("routing", () => {
  it("answers an unknown MLflow route with a 404 JSON error", async () => {
    for (const path of ["/api/2.0/mlflow/experiments/frobnicate", "/ajax-api/2.0/mlflow/nothing/here"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.error_code).toBe("ENDPOINT_NOT_FOUND");
      expect(typeof body.message).toBe("string");
    }
  });

  it("answers success as HTTP 200 with a JSON object, {} when there is nothing to say", async () => {
    const created = await server.call("POST", "experiments/create", { name: "basics-empty" });
    const deleted = await fetch(`${server.url}/api/2.0/mlflow/experiments/delete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment_id: created.body.experiment_id }),
    });
    expect(deleted.status).toBe(200);
    expect(deleted.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await deleted.json()).toEqual({});
  });
});

describe("request bodies", () => {
  it("refuses a non-JSON Content-Type on a POST with 400 INVALID_PARAMETER_VALUE", async () => {
    const plain = await post("experiments/create", JSON.stringify({ name: "plain" }), "text/plain");
    expect(plain.status).toBe(400);
    expect(plain.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(plain.json.message).toContain("application/json");
    const form = await post("runs/create", "experiment_id=0", "application/x-www-form-urlencoded");
    expect(form.status).toBe(400);
    expect(form.json.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("sanitises the echoed Content-Type (MLflow's XSS fix)", async () => {
    const hostile = await post("experiments/create", JSON.stringify({ name: "xss" }), "text/<script>alert(1)</script>");
    expect(hostile.status).toBe(400);
    expect(hostile.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(hostile.text).not.toContain("<");
    expect(hostile.text).not.toContain(">");
    expect((await server.call("GET", "experiments/get-by-name", { experiment_name: "xss" })).status).toBe(404);
  });

  it("accepts application/json with parameters", async () => {
    const answer = await post(
      "experiments/create",
      JSON.stringify({ name: "charset" }),
      "application/json; charset=utf-8",
    );
    expect(answer.status).toBe(200);
    expect(answer.json.experiment_id).toMatch(/^\d+$/);
  });

  it("accepts a double-encoded JSON body (a JSON string holding the JSON)", async () => {
    const answer = await post(
      "experiments/create",
      JSON.stringify(JSON.stringify({ name: "double-encoded" })),
      "application/json",
    );
    expect(answer.status, answer.text).toBe(200);
    const found = await server.call("GET", "experiments/get-by-name", { experiment_name: "double-encoded" });
    expect((found.body.experiment as { experiment_id: string }).experiment_id).toBe(answer.json.experiment_id);
  });

  it("ignores unknown request fields, in bodies and query strings", async () => {
    const created = await server.call("POST", "experiments/create", {
      name: "unknown-fields",
      bogus: 1,
      nested: { deeper: [1, 2, 3] },
    });
    expect(created.status).toBe(200);
    const fetched = await server.call("GET", "experiments/get", {
      experiment_id: created.body.experiment_id,
      whatever: "x",
    });
    expect(fetched.status).toBe(200);
    const run = await server.call("POST", "runs/create", { experiment_id: created.body.experiment_id, extra: true });
    expect(run.status).toBe(200);
  });

  it("refuses a malformed JSON body with a 400", async () => {
    const answer = await post("experiments/create", '{"name": ', "application/json");
    expect(answer.status).toBe(400);
    expect(typeof answer.json.error_code).toBe("string");
  });
});

describe("query-string values", () => {
  it("reads GET int64 fields given as text and repeated keys as lists", async () => {
    const body = (
      await server.call("GET", "experiments/search", { max_results: "2", order_by: ["name ASC", "experiment_id"] })
    ).body;
    expect(body.experiments).toHaveLength(2);
    expect(typeof body.next_page_token).toBe("string");
  });

  // No tracking endpoint has a boolean field, so the GET boolean rule (true/false in any case) is
  // checked on the request reader every endpoint uses.
  it.each([
    ["True", true],
    ["true", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
  ])("reads the GET boolean %s as %s", (text, expected) => {
    expect(RequestParams.fromQuery({ flag: text }).optionalBoolean("flag")).toBe(expected);
  });

  it("refuses a GET boolean that is not true or false", () => {
    expect(() => RequestParams.fromQuery({ flag: "yes" }).optionalBoolean("flag")).toThrow(/expected true or false/);
  });
});
