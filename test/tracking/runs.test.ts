/**
 * Contract tests for the run endpoints (reference/mlflow.md §2.2, §3) through a real `lathe server`
 * on loopback: create, get, update, delete/restore, and every logging call with MLflow's write
 * semantics (NaN/Infinity, duplicate points, immutable params, atomic batches) and limits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface KeyValue {
  key: string;
  value: string;
}

interface MetricJson {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

interface RunJson {
  info: {
    run_id: string;
    run_uuid: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data: { metrics?: MetricJson[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs: {
    dataset_inputs?: { tags?: KeyValue[]; dataset: Record<string, string> }[];
  };
}

let server: TestServer;
let experimentId: string;

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await ok("POST", "experiments/create", { name: "runs" })).experiment_id as string;
});

afterAll(async () => {
  await server.close();
});

const ok: TestServer["ok"] = (...args) => server.ok(...args);

const fails: TestServer["fails"] = (...args) => server.fails(...args);

const invalid = (path: string, params: Record<string, unknown>) =>
  fails("POST", path, params, 400, "INVALID_PARAMETER_VALUE");

async function createRun(params: Record<string, unknown> = {}): Promise<RunJson> {
  return (await ok("POST", "runs/create", { experiment_id: experimentId, ...params })).run as RunJson;
}

async function getRun(runId: string): Promise<RunJson> {
  return (await ok("GET", "runs/get", { run_id: runId })).run as RunJson;
}

const tagOf = (run: RunJson, key: string) => run.data.tags?.find((tag) => tag.key === key)?.value;
const metricOf = (run: RunJson, key: string) => run.data.metrics?.find((metric) => metric.key === key);

async function history(runId: string, key: string): Promise<MetricJson[]> {
  return ((await ok("GET", "metrics/get-history", { run_id: runId, metric_key: key })).metrics ?? []) as MetricJson[];
}

describe("runs/create", () => {
  it("creates a RUNNING run in the Default experiment when none is given", async () => {
    const run = (await ok("POST", "runs/create", {})).run as RunJson;
    expect(run.info.experiment_id).toBe("0");
    expect(run.info.status).toBe("RUNNING");
    expect(run.info.lifecycle_stage).toBe("active");
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info.run_uuid).toBe(run.info.run_id);
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    expect(run.info.end_time).toBeUndefined();
  });

  it("takes run_name, start_time, user_id and tags; mirrors the name in mlflow.runName", async () => {
    const run = await createRun({
      run_name: "given-name",
      start_time: 1234,
      user_id: "alice",
      tags: [{ key: "team", value: "ml" }],
    });
    expect(run.info).toMatchObject({
      run_name: "given-name",
      start_time: 1234,
      user_id: "alice",
      experiment_id: experimentId,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`,
    });
    expect(tagOf(run, "mlflow.runName")).toBe("given-name");
    expect(tagOf(await getRun(run.info.run_id), "team")).toBe("ml");
  });

  it("takes the name from the mlflow.runName tag, or makes a random adjective-animal-N one", async () => {
    const fromTag = await createRun({ tags: [{ key: "mlflow.runName", value: "tag-name" }] });
    expect(fromTag.info.run_name).toBe("tag-name");
    const same = await createRun({ run_name: "same", tags: [{ key: "mlflow.runName", value: "same" }] });
    expect(same.info.run_name).toBe("same");
    const random = await createRun();
    expect(random.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(tagOf(await getRun(random.info.run_id), "mlflow.runName")).toBe(random.info.run_name);
  });

  it("refuses a run_name that contradicts the mlflow.runName tag", async () => {
    await invalid("runs/create", {
      experiment_id: experimentId,
      run_name: "one",
      tags: [{ key: "mlflow.runName", value: "two" }],
    });
  });

  it("refuses deleted and unknown experiments", async () => {
    const deleted = (await ok("POST", "experiments/create", { name: "runs-deleted-exp" })).experiment_id;
    await ok("POST", "experiments/delete", { experiment_id: deleted });
    await invalid("runs/create", { experiment_id: deleted });
    await fails("POST", "runs/create", { experiment_id: "987654" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("runs/get", () => {
  it("accepts the deprecated run_uuid alias alone", async () => {
    const run = await createRun();
    const body = await ok("GET", "runs/get", { run_uuid: run.info.run_id });
    expect((body.run as RunJson).info.run_id).toBe(run.info.run_id);
  });

  it("answers 404 for an unknown run and 400 without an id", async () => {
    const message = await fails("GET", "runs/get", { run_id: "f".repeat(32) }, 404, "RESOURCE_DOES_NOT_EXIST");
    expect(message).toBe(`Run with id=${"f".repeat(32)} not found`);
    await fails("GET", "runs/get", {}, 400, "INVALID_PARAMETER_VALUE");
  });
});

describe("runs/update", () => {
  it("updates status, end_time and run_name (and the mlflow.runName tag)", async () => {
    const run = await createRun({ run_name: "before" });
    const body = await ok("POST", "runs/update", {
      run_id: run.info.run_id,
      status: "FINISHED",
      end_time: 99999,
      run_name: "after",
    });
    expect(body.run_info).toMatchObject({ status: "FINISHED", end_time: 99999, run_name: "after" });
    const fetched = await getRun(run.info.run_id);
    expect(fetched.info).toMatchObject({ status: "FINISHED", end_time: 99999, run_name: "after" });
    expect(tagOf(fetched, "mlflow.runName")).toBe("after");
    // FINISHED runs still accept writes.
    await ok("POST", "runs/log-metric", { run_id: run.info.run_id, key: "m", value: 1, timestamp: 1 });
  });

  it("refuses an invalid status and an unknown run", async () => {
    const run = await createRun();
    await invalid("runs/update", { run_id: run.info.run_id, status: "DONE" });
    await fails("POST", "runs/update", { run_id: "e".repeat(32), status: "FAILED" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("runs/delete and runs/restore", () => {
  it("soft-deletes, refuses writes to the deleted run, and restores", async () => {
    const run = await createRun();
    const runId = run.info.run_id;
    await ok("POST", "runs/delete", { run_id: runId });
    expect((await getRun(runId)).info.lifecycle_stage).toBe("deleted");

    await invalid("runs/log-metric", { run_id: runId, key: "m", value: 1, timestamp: 1 });
    await invalid("runs/log-parameter", { run_id: runId, key: "p", value: "v" });
    await invalid("runs/set-tag", { run_id: runId, key: "t", value: "v" });
    await invalid("runs/log-batch", { run_id: runId, tags: [{ key: "t", value: "v" }] });
    await invalid("runs/update", { run_id: runId, status: "FINISHED" });

    await ok("POST", "runs/restore", { run_id: runId });
    expect((await getRun(runId)).info.lifecycle_stage).toBe("active");
    await ok("POST", "runs/set-tag", { run_id: runId, key: "t", value: "v" });
    await fails("POST", "runs/delete", { run_id: "d".repeat(32) }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("runs/log-metric", () => {
  it("accepts NaN and ±Infinity strings: NaN comes back as 'NaN', infinities clamped like MLflow", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/log-metric", { run_id: runId, key: "nan", value: "NaN", timestamp: 1 });
    await ok("POST", "runs/log-metric", { run_id: runId, key: "inf", value: "Infinity", timestamp: 1 });
    await ok("POST", "runs/log-metric", { run_id: runId, key: "ninf", value: "-Infinity", timestamp: 1 });
    await ok("POST", "runs/log-metric", { run_id: runId, key: "str", value: "2.5", timestamp: 1, step: "3" });
    const run = await getRun(runId);
    expect(metricOf(run, "nan")).toEqual({ key: "nan", value: "NaN", timestamp: 1, step: 0 });
    expect(metricOf(run, "inf")?.value).toBe(1.7976931348623157e308);
    expect(metricOf(run, "ninf")?.value).toBe(-1.7976931348623157e308);
    expect(metricOf(run, "str")).toEqual({ key: "str", value: 2.5, timestamp: 1, step: 3 });
    expect(await history(runId, "nan")).toEqual([{ key: "nan", value: "NaN", timestamp: 1, step: 0 }]);
  });

  it("returns every double bit for bit, int64 steps and timestamps, and lists in key order, in runs/get and runs/search", async () => {
    const run = await createRun();
    const runId = run.info.run_id;
    const values = [0.1 + 0.2, 1 / 3, 5e-324, 2.2250738585072014e-308, 123456789.12345679, -1e21, 1e22, 2 ** 53, -7];
    const metrics = values.map((value, i) => ({ key: `exact${i}`, value, timestamp: 2 ** 52 + i, step: -(2 ** 40) }));
    await ok("POST", "runs/log-batch", { run_id: runId, metrics });
    // One call per key, so rows are stored out of key order.
    for (const key of ["b", "A", "a", "B-2", "a.1"])
      await ok("POST", "runs/log-parameter", { run_id: runId, key, value: key });
    for (const key of ["z", "Z", "m/n", "m n"]) await ok("POST", "runs/set-tag", { run_id: runId, key, value: key });
    const got = await getRun(runId);
    const searched = await ok("POST", "runs/search", {
      experiment_ids: [run.info.experiment_id],
      filter: `attributes.run_id = '${runId}'`,
    });
    const found = (searched.runs as RunJson[])[0]!;
    // Every list in byte order of its keys, on either database.
    const keysOf = (list: { key: string }[] | undefined) => (list ?? []).map((item) => item.key);
    for (const listed of [got, found]) {
      expect(keysOf(listed.data.params)).toEqual(["A", "B-2", "a", "a.1", "b"]);
      expect(keysOf(listed.data.tags)).toEqual(["Z", "m n", "m/n", "mlflow.runName", "z"]);
      expect(keysOf(listed.data.metrics)).toEqual(metrics.map((metric) => metric.key).sort());
    }
    const byKey = (list: MetricJson[] | undefined) => new Map((list ?? []).map((metric) => [metric.key, metric]));
    const fromGet = byKey(got.data.metrics);
    const fromSearch = byKey(found.data.metrics);
    for (const metric of metrics) {
      expect(fromGet.get(metric.key)).toEqual(metric);
      expect(fromSearch.get(metric.key)).toEqual(metric);
    }
  });

  it("refuses a missing timestamp, a non-numeric value and a boolean value", async () => {
    const runId = (await createRun()).info.run_id;
    await invalid("runs/log-metric", { run_id: runId, key: "m", value: 1 });
    await invalid("runs/log-metric", { run_id: runId, key: "m", timestamp: 1 });
    await invalid("runs/log-metric", { run_id: runId, key: "m", value: "abc", timestamp: 1 });
    await invalid("runs/log-metric", { run_id: runId, key: "m", value: true, timestamp: 1 });
    await invalid("runs/log-metric", { run_id: runId, value: 1, timestamp: 1 });
    await fails(
      "POST",
      "runs/log-metric",
      { run_id: "c".repeat(32), key: "m", value: 1, timestamp: 1 },
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  it("ignores an exact duplicate point and keeps the latest by (step, timestamp, value)", async () => {
    const runId = (await createRun()).info.run_id;
    const log = (value: number, timestamp: number, step: number) =>
      ok("POST", "runs/log-metric", { run_uuid: runId, key: "m", value, timestamp, step });
    await log(1, 100, 5);
    await log(1, 100, 5);
    expect(await history(runId, "m")).toHaveLength(1);
    await log(9, 200, 3);
    expect(metricOf(await getRun(runId), "m")).toMatchObject({ value: 1, step: 5 });
    await log(2, 100, 5);
    expect(metricOf(await getRun(runId), "m")).toMatchObject({ value: 2, step: 5, timestamp: 100 });
    await log(100, 50, 5);
    expect(metricOf(await getRun(runId), "m")).toMatchObject({ value: 2, timestamp: 100 });
    await log(0, 101, 5);
    expect(metricOf(await getRun(runId), "m")).toMatchObject({ value: 0, timestamp: 101 });
    expect(await history(runId, "m")).toHaveLength(5);
  });
});

describe("runs/log-parameter", () => {
  it("accepts the same value again and refuses a different one", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.1" });
    await ok("POST", "runs/log-parameter", { run_uuid: runId, key: "lr", value: "0.1" });
    const message = await invalid("runs/log-parameter", { run_id: runId, key: "lr", value: "0.2" });
    expect(message).toMatch(/^Changing param values is not allowed/);
    expect((await getRun(runId)).data.params).toEqual([{ key: "lr", value: "0.1" }]);
  });
});

describe("runs/set-tag and runs/delete-tag", () => {
  it("sets, overwrites and deletes tags; deleting an unknown tag is a 404", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/set-tag", { run_id: runId, key: "k", value: "1" });
    await ok("POST", "runs/set-tag", { run_id: runId, key: "k", value: "2" });
    expect(tagOf(await getRun(runId), "k")).toBe("2");
    await ok("POST", "runs/delete-tag", { run_id: runId, key: "k" });
    expect(tagOf(await getRun(runId), "k")).toBeUndefined();
    await fails("POST", "runs/delete-tag", { run_id: runId, key: "k" }, 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

describe("runs/log-batch", () => {
  const metric = (i: number) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 });

  it("logs metrics, params and tags together; tags are last-write-wins", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [metric(1), metric(2)],
      params: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
      tags: [
        { key: "t", value: "first" },
        { key: "t", value: "second" },
      ],
    });
    const run = await getRun(runId);
    expect(run.data.metrics).toHaveLength(2);
    expect(run.data.params).toEqual(expect.arrayContaining([{ key: "a", value: "1" }]));
    expect(tagOf(run, "t")).toBe("second");
    await ok("POST", "runs/log-batch", { run_id: runId });
  });

  it("enforces 1000 metrics, 100 params and 100 tags", async () => {
    const runId = (await createRun()).info.run_id;
    const list = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));
    await ok("POST", "runs/log-batch", { run_id: runId, metrics: list(1000, metric) });
    await invalid("runs/log-batch", { run_id: runId, metrics: list(1001, metric) });
    await invalid("runs/log-batch", { run_id: runId, params: list(101, (i) => ({ key: `p${i}`, value: "v" })) });
    await invalid("runs/log-batch", { run_id: runId, tags: list(101, (i) => ({ key: `t${i}`, value: "v" })) });
  });

  it("refuses duplicate param keys with different values", async () => {
    const runId = (await createRun()).info.run_id;
    const params = [
      { key: "p", value: "1" },
      { key: "p", value: "2" },
    ];
    await invalid("runs/log-batch", { run_id: runId, params });
    expect((await getRun(runId)).data.params).toBeUndefined();
  });

  it("is atomic: a conflicting param writes none of the batch's metrics or tags", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/log-parameter", { run_id: runId, key: "p", value: "old" });
    const message = await invalid("runs/log-batch", {
      run_id: runId,
      metrics: [metric(1)],
      params: [{ key: "p", value: "new" }],
      tags: [{ key: "batch", value: "x" }],
    });
    expect(message).toMatch(/^Changing param values is not allowed/);
    const run = await getRun(runId);
    expect(run.data.metrics).toBeUndefined();
    expect(tagOf(run, "batch")).toBeUndefined();
    expect(await history(runId, "m1")).toEqual([]);
  });
});

describe("runs/log-inputs", () => {
  it("records dataset inputs with their tags, once per dataset", async () => {
    const runId = (await createRun()).info.run_id;
    const datasets = [
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: { name: "iris", digest: "abc123", source_type: "local", source: '{"uri": "/data/iris.csv"}' },
      },
    ];
    await ok("POST", "runs/log-inputs", { run_id: runId, datasets });
    await ok("POST", "runs/log-inputs", { run_id: runId, datasets });
    const inputs = (await getRun(runId)).inputs.dataset_inputs;
    expect(inputs).toEqual([
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: { name: "iris", digest: "abc123", source_type: "local", source: '{"uri": "/data/iris.csv"}' },
      },
    ]);
  });

  it("refuses a dataset without its required fields", async () => {
    const runId = (await createRun()).info.run_id;
    await invalid("runs/log-inputs", {
      run_id: runId,
      datasets: [{ dataset: { name: "x", digest: "d", source_type: "local" } }],
    });
  });
});

describe("runs/log-model", () => {
  it("appends each model to the mlflow.log-model.history tag", async () => {
    const runId = (await createRun()).info.run_id;
    const model = (path: string) => ({
      artifact_path: path,
      flavors: { python_function: { loader_module: "mlflow.sklearn" } },
      utc_time_created: "2024-01-01 00:00:00.000000",
      run_id: runId,
    });
    await ok("POST", "runs/log-model", { run_id: runId, model_json: JSON.stringify(model("first")) });
    await ok("POST", "runs/log-model", { run_id: runId, model_json: JSON.stringify(model("second")) });
    const logged = JSON.parse(tagOf(await getRun(runId), "mlflow.log-model.history") ?? "[]") as unknown[];
    expect(logged).toEqual([model("first"), model("second")]);
  });

  it("refuses a model without the mandatory fields, or no model at all", async () => {
    const runId = (await createRun()).info.run_id;
    await invalid("runs/log-model", { run_id: runId, model_json: JSON.stringify({ artifact_path: "m" }) });
    await invalid("runs/log-model", { run_id: runId, model_json: "not json" });
    await invalid("runs/log-model", { run_id: runId });
  });
});

describe("key and value limits", () => {
  it.each(["../x", "a//b", "/abs", "a/./b", "bad!char"])("refuses the metric key %j", async (key) => {
    const runId = (await createRun()).info.run_id;
    const message = await invalid("runs/log-metric", { run_id: runId, key, value: 1, timestamp: 1 });
    expect(message).toContain("Invalid metric name");
  });

  it("refuses traversal keys for params and tags too", async () => {
    const runId = (await createRun()).info.run_id;
    expect(await invalid("runs/log-parameter", { run_id: runId, key: "../p", value: "v" })).toContain(
      "Invalid param name",
    );
    expect(await invalid("runs/set-tag", { run_id: runId, key: "a//t", value: "v" })).toContain("Invalid tag name");
  });

  it("caps keys at 250, param values at 6000 and tag values at 8000 characters", async () => {
    const runId = (await createRun()).info.run_id;
    await ok("POST", "runs/log-metric", { run_id: runId, key: "k".repeat(250), value: 1, timestamp: 1 });
    await invalid("runs/log-metric", { run_id: runId, key: "k".repeat(251), value: 1, timestamp: 1 });
    await ok("POST", "runs/log-parameter", { run_id: runId, key: "p", value: "v".repeat(6000) });
    await invalid("runs/log-parameter", { run_id: runId, key: "q", value: "v".repeat(6001) });
    await ok("POST", "runs/set-tag", { run_id: runId, key: "t", value: "v".repeat(8000) });
    await invalid("runs/set-tag", { run_id: runId, key: "u", value: "v".repeat(8001) });
    await invalid("runs/log-batch", { run_id: runId, params: [{ key: "r", value: "v".repeat(6001) }] });
  });
});
