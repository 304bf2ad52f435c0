/**
 * The SDK against MLflow's own answers: a loopback server replays the responses MLflow 2.12.2's
 * server gave in the recorded session (test/fixtures/mlflow/mlflow-wire.jsonl), and the client must
 * decode each into the values MLflow sent. This is how the SDK is checked against a real MLflow
 * server's wire format without one on this machine.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";

interface Exchange {
  method: string;
  url: string;
  req_body: string;
  status: number;
  res_body: string;
}

const exchanges: Exchange[] = readFileSync(
  fileURLToPath(new URL("../fixtures/mlflow/mlflow-wire.jsonl", import.meta.url)),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Exchange);

function parseBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The recorded answer for a method and path whose query contains every `must` fragment; among
 * several, the one whose JSON request body shares the most fields with `body`.
 */
function recorded(method: string, path: string, must: string[], body: Record<string, unknown>): Exchange | undefined {
  const candidates = exchanges.filter((exchange) => {
    const [exchangePath, query = ""] = exchange.url.split("?");
    return (
      exchange.method === method &&
      exchangePath === path &&
      must.every((part) => decodeURIComponent(query).includes(part))
    );
  });
  const score = (exchange: Exchange) => {
    const recordedBody = parseBody(exchange.req_body);
    const keys = new Set([...Object.keys(recordedBody), ...Object.keys(body)]);
    return [...keys].filter((key) => JSON.stringify(recordedBody[key]) === JSON.stringify(body[key])).length;
  };
  return candidates.sort((a, b) => score(b) - score(a))[0];
}

let server: Server;
let client: LatheClient;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const [path = "", query = ""] = (request.url ?? "").split("?");
    let text = "";
    for await (const chunk of request) text += String(chunk);
    // Answer with the recording whose query and body match this request's best.
    const must = [...new URLSearchParams(query).entries()]
      .filter(([key]) => key !== "run_uuid")
      .map(([key, value]) => `${key}=${value}`);
    const method = request.method ?? "GET";
    const body = parseBody(text);
    const exchange = recorded(method, path, must, body) ?? recorded(method, path, [], body);
    if (!exchange) {
      response
        .writeHead(404, { "content-type": "application/json" })
        .end('{"error_code":"ENDPOINT_NOT_FOUND","message":"not recorded"}');
      return;
    }
    response.writeHead(exchange.status, { "content-type": "application/json" }).end(exchange.res_body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = new LatheClient({
    trackingUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxRetries: 0,
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const RUN = "ab7ca8387d824bdd9bd9939ee65911ec";

describe("LatheClient decoding MLflow 2.12.2's recorded answers", () => {
  it("reads experiments, including MLflow's 404 for an unknown name", async () => {
    const experiment = await client.getExperiment("2");
    expect(experiment).toMatchObject({
      experiment_id: "2",
      name: "wire-tagged",
      artifact_location: "mlflow-artifacts:/2",
    });
    expect(experiment.tags).toEqual([
      { key: "team", value: "ml" },
      { key: "stage", value: "dev" },
    ]);
    await expect(client.getExperimentByName("does-not-exist")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });

  it("reads a run with NaN, clamped Infinity, params, tags and dataset inputs", async () => {
    const run = await client.getRun(RUN);
    expect(run.info).toMatchObject({ run_id: RUN, experiment_id: "1", status: "RUNNING" });
    const metrics = Object.fromEntries(run.data.metrics.map((metric) => [metric.key, metric.value]));
    expect(metrics.weird_nan).toBeNaN();
    expect(metrics.weird_inf).toBe(Number.MAX_VALUE);
    expect(metrics.loss).toBeCloseTo(1 / 3);
    expect(run.data.params).toContainEqual({ key: "n_estimators", value: "100" });
    expect(run.inputs.dataset_inputs[0]?.dataset).toMatchObject({
      name: "train",
      digest: "b2892d90",
      source_type: "local",
    });
  });

  it("reads metric history and search results with their page token", async () => {
    const history = await client.getMetricHistory(RUN, "loss");
    expect(history.map((metric) => [metric.step, metric.value])).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 0.3333333333333333],
    ]);
    const page = await client.searchRuns({ experimentIds: ["2"], maxResults: 1, filter: "", viewType: "ACTIVE_ONLY" });
    expect(page.items).toHaveLength(1);
    expect(page.nextPageToken).toBe("eyJvZmZzZXQiOiAxfQ==");
  });

  it("reads the registry: models, versions, aliases, latest versions and download URIs", async () => {
    const model = await client.getRegisteredModel("iris");
    expect(model.name).toBe("iris");
    const version = await client.getModelVersion("iris", 1);
    expect(version).toMatchObject({ name: "iris", version: "1", source: `runs:/${RUN}/model`, status: "READY" });
    const champion = await client.getModelVersionByAlias("iris", "champion");
    expect(champion.name).toBe("iris");
    expect(champion.aliases).toContain("champion");
    const latest = await client.getLatestVersions("iris", ["Production", "Archived"]);
    expect(latest.map((entry) => entry.current_stage).sort()).toEqual(["Archived", "Production"]);
    expect(await client.getModelVersionDownloadUri("iris", 1)).toMatch(/model$/);
    await expect(client.getModelVersionByAlias("iris", "nope")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });
});
