/**
 * Scenario test: the requests the MLflow 2.12.2 Python client sends for a typical training script
 * (set_experiment, start_run, log_params/log_metrics, set_terminated, log_artifact, search_runs,
 * delete_run, delete_experiment), built exactly as in the recording (test/fixtures/mlflow/
 * mlflow-wire.jsonl: same fields, same query parameters, Python's JSON spacing), checking the
 * outcomes such a script relies on.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, toQuery } from "../helpers/server.js";

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
}

/** JSON as Python's `json.dumps` writes it (what `requests` sends for `json=`): ", " and ": " separators. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

interface LoggedRun {
  runId: string;
  accuracy: number | undefined;
}

describe("the MLflow Python client's training-script flow", () => {
  let server: TestServer;
  const experimentName = "python-scenario";
  let experimentId = "";
  let firstRun = "";
  const runs: LoggedRun[] = [];
  const startTime = Date.now();

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  /** Every answer on /api/2.0 must be a JSON object, errors included. */
  async function answer(response: Response): Promise<Answer> {
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as unknown;
    expect(body).toBeTypeOf("object");
    expect(Array.isArray(body)).toBe(false);
    return { status: response.status, body: body as Json };
  }

  async function get(path: string, query: Json): Promise<Answer> {
    return answer(await fetch(`${server.url}/api/2.0/mlflow/${path}${toQuery(query)}`));
  }

  async function post(path: string, body: Json): Promise<Answer> {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: pythonJson(body),
    });
    return answer(response);
  }

  function artifactUrl(runId: string, path = ""): string {
    return `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts${path ? `/${path}` : ""}`;
  }

  /** `mlflow.start_run(run_name=...)`: runs/create with the client's system tags. */
  async function startRun(runName: string, time: number): Promise<Json> {
    const created = await post("runs/create", {
      experiment_id: experimentId,
      user_id: "root",
      run_name: runName,
      start_time: time,
      tags: [
        { key: "mlflow.user", value: "root" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
        { key: "mlflow.runName", value: runName },
      ],
    });
    expect(created.status).toBe(200);
    return (created.body.run as { info: Json }).info;
  }

  /** `mlflow.end_run()` → `set_terminated(run_id, "FINISHED")`. */
  async function endRun(runId: string): Promise<Answer> {
    return post("runs/update", { run_uuid: runId, status: "FINISHED", end_time: Date.now(), run_id: runId });
  }

  async function getRun(runId: string): Promise<{ info: Json; data: Json }> {
    const got = await get("runs/get", { run_uuid: runId, run_id: runId });
    expect(got.status).toBe(200);
    return got.body.run as { info: Json; data: Json };
  }

  /** `mlflow.search_runs(...)` / `MlflowClient.search_runs(...)` for the scenario's experiment. */
  async function searchRuns(extra: Json): Promise<string[]> {
    const found = await post("runs/search", { experiment_ids: [experimentId], filter: "", ...extra });
    expect(found.status).toBe(200);
    const list = (found.body.runs ?? []) as { info: { run_id: string } }[];
    return list.map((run) => run.info.run_id);
  }

  it("set_experiment: get-by-name answers 404 RESOURCE_DOES_NOT_EXIST, so the client creates the experiment", async () => {
    const missing = await get("experiments/get-by-name", { experiment_name: experimentName });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");

    const created = await post("experiments/create", { name: experimentName });
    expect(created.status).toBe(200);
    expect(created.body.experiment_id).toMatch(/^\d+$/);
    experimentId = created.body.experiment_id as string;

    const fetched = await get("experiments/get", { experiment_id: experimentId });
    expect(fetched.status).toBe(200);
    expect(fetched.body.experiment).toMatchObject({
      experiment_id: experimentId,
      name: experimentName,
      artifact_location: `mlflow-artifacts:/${experimentId}`,
      lifecycle_stage: "active",
    });
  });

  it("start_run: runs/create gives a RUNNING run whose artifact_uri is mlflow-artifacts:/<exp>/<run>/artifacts", async () => {
    const info = await startRun("rf-baseline", startTime);
    firstRun = info.run_id as string;
    expect(firstRun).toMatch(/^[0-9a-f]{32}$/);
    expect(info).toMatchObject({
      run_uuid: firstRun,
      experiment_id: experimentId,
      run_name: "rf-baseline",
      user_id: "root",
      status: "RUNNING",
      start_time: startTime,
      lifecycle_stage: "active",
      artifact_uri: `mlflow-artifacts:/${experimentId}/${firstRun}/artifacts`,
    });
  });

  it("log_params and log_metrics arrive as log-batch and show in runs/get", async () => {
    const params = await post("runs/log-batch", {
      run_id: firstRun,
      params: [
        { key: "n_estimators", value: "100" },
        { key: "max_depth", value: "5" },
      ],
    });
    expect(params).toEqual({ status: 200, body: {} });
    const now = Date.now();
    const metrics = await post("runs/log-batch", {
      run_id: firstRun,
      metrics: [
        { key: "accuracy", value: 0.81, timestamp: now, step: 0 },
        { key: "f1", value: 0.79, timestamp: now, step: 0 },
      ],
    });
    expect(metrics).toEqual({ status: 200, body: {} });
    runs.push({ runId: firstRun, accuracy: 0.81 });

    const { data } = await getRun(firstRun);
    expect(data.params).toEqual(
      expect.arrayContaining([
        { key: "n_estimators", value: "100" },
        { key: "max_depth", value: "5" },
      ]),
    );
    expect(data.metrics).toEqual(
      expect.arrayContaining([
        { key: "accuracy", value: 0.81, timestamp: now, step: 0 },
        { key: "f1", value: 0.79, timestamp: now, step: 0 },
      ]),
    );
    expect(data.tags).toEqual(expect.arrayContaining([{ key: "mlflow.source.name", value: "train.py" }]));
  });

  it("a retried identical log-batch (client retry) does not duplicate metric history points", async () => {
    const now = Date.now();
    const batch = {
      run_id: firstRun,
      metrics: [0, 1, 2].map((step) => ({ key: "loss", value: 1 / (step + 2), timestamp: now + step, step })),
    };
    expect(await post("runs/log-batch", batch)).toEqual({ status: 200, body: {} });
    expect(await post("runs/log-batch", batch)).toEqual({ status: 200, body: {} });

    const history = await get("metrics/get-history", {
      run_uuid: firstRun,
      metric_key: "loss",
      run_id: firstRun,
      max_results: 25000,
    });
    expect(history.status).toBe(200);
    const points = history.body.metrics as { step: number; value: number }[];
    expect(points).toHaveLength(3);
    expect(points.map((point) => point.step).sort()).toEqual([0, 1, 2]);
  });

  it("set_terminated: runs/update marks the run FINISHED with its end_time", async () => {
    const ended = await endRun(firstRun);
    expect(ended.status).toBe(200);
    const info = ended.body.run_info as Json;
    expect(info).toMatchObject({ run_id: firstRun, run_uuid: firstRun, status: "FINISHED" });
    expect(info.end_time).toBeTypeOf("number");
    expect((await getRun(firstRun)).info.status).toBe("FINISHED");
  });

  it("log_artifact: a text file and a 1 MB binary upload through the proxy and download identical", async () => {
    const text = "epoch,loss\n0,0.5\n1,0.33\n";
    const binary = randomBytes(1024 * 1024);
    for (const [path, body, type] of [
      ["metrics.csv", Buffer.from(text), "text/plain"],
      ["model/weights.bin", binary, "application/octet-stream"],
    ] as const) {
      const put = await fetch(artifactUrl(firstRun, path), { method: "PUT", headers: { "content-type": type }, body });
      expect(put.status).toBe(200);
      expect(await put.json()).toEqual({});
    }

    const listUrl = `${server.url}/api/2.0/mlflow-artifacts/artifacts`;
    const root = await answer(await fetch(`${listUrl}${toQuery({ path: `${experimentId}/${firstRun}/artifacts` })}`));
    expect(root.body.files).toEqual([
      { path: "metrics.csv", is_dir: false, file_size: Buffer.byteLength(text) },
      { path: "model", is_dir: true },
    ]);
    const model = await answer(
      await fetch(`${listUrl}${toQuery({ path: `${experimentId}/${firstRun}/artifacts/model` })}`),
    );
    expect(model.body.files).toEqual([{ path: "weights.bin", is_dir: false, file_size: binary.length }]);

    const textDownload = await fetch(artifactUrl(firstRun, "metrics.csv"));
    expect(textDownload.status).toBe(200);
    expect(await textDownload.text()).toBe(text);
    const binaryDownload = await fetch(artifactUrl(firstRun, "model/weights.bin"));
    expect(binaryDownload.status).toBe(200);
    expect(Buffer.from(await binaryDownload.arrayBuffer()).equals(binary)).toBe(true);
  });

  it("search_runs(order_by=['metrics.accuracy DESC']) ranks runs by accuracy, the run without it last", async () => {
    for (const [name, accuracy] of [
      ["gbdt", 0.95],
      ["no-eval", undefined],
      ["logreg", 0.88],
    ] as const) {
      const info = await startRun(name, Date.now());
      const runId = info.run_id as string;
      const batch: Json = { run_id: runId, params: [{ key: "model", value: name }] };
      expect(await post("runs/log-batch", batch)).toEqual({ status: 200, body: {} });
      if (accuracy !== undefined) {
        const metrics = [{ key: "accuracy", value: accuracy, timestamp: Date.now(), step: 0 }];
        expect(await post("runs/log-batch", { run_id: runId, metrics })).toEqual({ status: 200, body: {} });
      }
      expect((await endRun(runId)).status).toBe(200);
      runs.push({ runId, accuracy });
    }

    const ranked = await searchRuns({
      run_view_type: "ACTIVE_ONLY",
      max_results: 10000,
      order_by: ["metrics.accuracy DESC"],
    });
    const expected = [...runs]
      .sort((a, b) => (b.accuracy ?? Number.NEGATIVE_INFINITY) - (a.accuracy ?? Number.NEGATIVE_INFINITY))
      .map((run) => run.runId);
    expect(ranked).toEqual(expected);
    expect(ranked.at(-1)).toBe(runs.find((run) => run.accuracy === undefined)?.runId);
  });

  it("delete_run: the run leaves ACTIVE_ONLY searches and shows up in DELETED_ONLY", async () => {
    const victim = runs.find((run) => run.accuracy === 0.88)?.runId ?? "";
    expect(await post("runs/delete", { run_id: victim })).toEqual({ status: 200, body: {} });

    const active = await searchRuns({ run_view_type: "ACTIVE_ONLY", max_results: 1000 });
    expect(active).not.toContain(victim);
    expect(active).toHaveLength(runs.length - 1);
    const deleted = await searchRuns({ run_view_type: "DELETED_ONLY", max_results: 1000 });
    expect(deleted).toEqual([victim]);
    expect((await getRun(victim)).info.lifecycle_stage).toBe("deleted");
  });

  it("delete_experiment: get-by-name still finds it as deleted, and its name cannot be created again", async () => {
    expect(await post("experiments/delete", { experiment_id: experimentId })).toEqual({ status: 200, body: {} });

    const found = await get("experiments/get-by-name", { experiment_name: experimentName });
    expect(found.status).toBe(200);
    expect(found.body.experiment).toMatchObject({
      experiment_id: experimentId,
      name: experimentName,
      lifecycle_stage: "deleted",
    });

    const again = await post("experiments/create", { name: experimentName });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(again.body.message).toBeTypeOf("string");
  });
});
