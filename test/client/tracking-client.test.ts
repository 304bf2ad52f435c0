/**
 * LatheClient's tracking methods against a real `lathe server`: every experiment, run, metric and
 * artifact-list call round-trips, entities come back with defaults filled in, NaN/Infinity survive
 * the wire both ways, the searchAll helpers follow page tokens, and server errors keep their code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { LatheError } from "../../src/core/errors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let client: LatheClient;

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url });
});

afterAll(async () => {
  await server.close();
});

async function rejection(promise: Promise<unknown>): Promise<LatheError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LatheError);
  return error as LatheError;
}

describe("experiments", () => {
  it("creates, gets by id and by name, with tags", async () => {
    const id = await client.createExperiment("exp-a", { tags: { team: "ml" } });
    const byId = await client.getExperiment(id);
    expect(byId).toMatchObject({ experiment_id: id, name: "exp-a", lifecycle_stage: "active" });
    expect(byId.tags).toEqual([{ key: "team", value: "ml" }]);
    expect(byId.artifact_location).toBe(`mlflow-artifacts:/${id}`);
    expect(await client.getExperimentByName("exp-a")).toEqual(byId);
  });

  it("fills an empty tag list when the server omits it", async () => {
    const id = await client.createExperiment("exp-untagged");
    expect((await client.getExperiment(id)).tags).toEqual([]);
  });

  it("maps the server's error codes back to LatheError codes and keeps the message", async () => {
    const missing = await rejection(client.getExperimentByName("no-such-experiment"));
    expect(missing.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(missing.message).toContain("no-such-experiment");
    expect((await rejection(client.createExperiment("exp-a"))).code).toBe("RESOURCE_ALREADY_EXISTS");
    expect((await rejection(client.getExperiment("987654"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("renames, tags, untags, deletes and restores", async () => {
    const id = await client.createExperiment("exp-b");
    await client.renameExperiment(id, "exp-b2");
    await client.setExperimentTag(id, "owner", "alice");
    await client.setExperimentTag(id, "drop", "me");
    await client.deleteExperimentTag(id, "drop");
    let experiment = await client.getExperiment(id);
    expect(experiment.name).toBe("exp-b2");
    expect(experiment.tags).toEqual([{ key: "owner", value: "alice" }]);
    await client.deleteExperiment(id);
    experiment = await client.getExperiment(id);
    expect(experiment.lifecycle_stage).toBe("deleted");
    const deleted = await client.searchAllExperiments({ viewType: "DELETED_ONLY" });
    expect(deleted.map((item) => item.experiment_id)).toContain(id);
    await client.restoreExperiment(id);
    expect((await client.getExperiment(id)).lifecycle_stage).toBe("active");
  });

  it("searches one page, and all pages with searchAllExperiments", async () => {
    for (let index = 0; index < 7; index++) await client.createExperiment(`paged-${index}`, { tags: { paged: "yes" } });
    const page = await client.searchExperiments({ filter: "tags.paged = 'yes'", maxResults: 3, orderBy: ["name ASC"] });
    expect(page.items.map((item) => item.name)).toEqual(["paged-0", "paged-1", "paged-2"]);
    expect(page.nextPageToken).toBeTypeOf("string");
    const all = await client.searchAllExperiments({
      filter: "tags.paged = 'yes'",
      maxResults: 3,
      orderBy: ["name ASC"],
    });
    expect(all.map((item) => item.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((index) => `paged-${index}`));
  });
});

describe("runs", () => {
  let experimentId: string;

  beforeAll(async () => {
    experimentId = await client.createExperiment("runs-exp");
  });

  it("creates a run and gets it back with empty lists and end_time null", async () => {
    const run = await client.createRun({ experimentId, runName: "first", tags: [{ key: "model", value: "rf" }] });
    expect(run.info).toMatchObject({
      experiment_id: experimentId,
      run_name: "first",
      status: "RUNNING",
      end_time: null,
    });
    expect(run.info.run_uuid).toBe(run.info.run_id);
    const fetched = await client.getRun(run.info.run_id);
    expect(fetched.data.metrics).toEqual([]);
    expect(fetched.data.params).toEqual([]);
    expect(fetched.data.tags).toContainEqual({ key: "model", value: "rf" });
    expect(fetched.inputs.dataset_inputs).toEqual([]);
  });

  it("logs metrics (NaN and ±Infinity included), params, tags and a batch", async () => {
    const { info } = await client.createRun({ experimentId });
    const runId = info.run_id;
    await client.logMetric(runId, "loss", 0.5, { step: 1, timestamp: 1000 });
    await client.logMetric(runId, "nan", Number.NaN);
    await client.logMetric(runId, "inf", Number.POSITIVE_INFINITY);
    await client.logMetric(runId, "ninf", Number.NEGATIVE_INFINITY);
    await client.logParam(runId, "lr", 0.01);
    await client.setTag(runId, "phase", "train");
    await client.setTag(runId, "gone", "soon");
    await client.deleteTag(runId, "gone");
    await client.logBatch(runId, {
      metrics: [{ key: "acc", value: 0.9, step: 2 }],
      params: [{ key: "depth", value: "5" }],
      tags: { batched: "yes" },
    });
    const run = await client.getRun(runId);
    const metric = (key: string) => run.data.metrics.find((item) => item.key === key)?.value;
    expect(metric("loss")).toBe(0.5);
    expect(metric("nan")).toBeNaN();
    // Sent as "Infinity"/"-Infinity"; the SQL store clamps them to ±max double, as MLflow's does.
    expect(metric("inf")).toBe(Number.MAX_VALUE);
    expect(metric("ninf")).toBe(-Number.MAX_VALUE);
    expect(metric("acc")).toBe(0.9);
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: "lr", value: "0.01" },
        { key: "depth", value: "5" },
      ]),
    );
    const tags = Object.fromEntries(run.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags).toMatchObject({ phase: "train", batched: "yes" });
    expect(tags.gone).toBeUndefined();
    const history = await client.getMetricHistory(runId, "nan");
    expect(history).toHaveLength(1);
    expect(history[0]?.value).toBeNaN();
  });

  it("splits a logBatch larger than MLflow's limits into several requests", async () => {
    const { info } = await client.createRun({ experimentId });
    const metrics = Array.from({ length: 2500 }, (_, step) => ({ key: "big", value: step, step, timestamp: 5 }));
    const params = Array.from({ length: 150 }, (_, index) => ({ key: `p${index}`, value: String(index) }));
    await client.logBatch(info.run_id, { metrics, params });
    expect(await client.getMetricHistory(info.run_id, "big")).toHaveLength(2500);
    expect((await client.getRun(info.run_id)).data.params).toHaveLength(150);
  });

  it("updates, deletes and restores a run", async () => {
    const { info } = await client.createRun({ experimentId, runName: "to-update" });
    const updated = await client.updateRun(info.run_id, {
      status: "KILLED",
      endTime: info.start_time + 5,
      runName: "renamed",
    });
    expect(updated).toMatchObject({ status: "KILLED", end_time: info.start_time + 5, run_name: "renamed" });
    await client.deleteRun(info.run_id);
    expect((await client.getRun(info.run_id)).info.lifecycle_stage).toBe("deleted");
    await client.restoreRun(info.run_id);
    expect((await client.getRun(info.run_id)).info.lifecycle_stage).toBe("active");
  });

  it("logs dataset inputs and a model description", async () => {
    const { info } = await client.createRun({ experimentId });
    await client.logInputs(info.run_id, [
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: { name: "train", digest: "abc123", source_type: "local", source: '{"uri": "data/train.csv"}' },
      },
    ]);
    await client.logModel(info.run_id, {
      artifact_path: "model",
      run_id: info.run_id,
      utc_time_created: "2026-01-01 00:00:00.000000",
      flavors: { python_function: { loader_module: "mlflow.onnx" } },
    });
    const run = await client.getRun(info.run_id);
    expect(run.inputs.dataset_inputs[0]?.dataset).toMatchObject({ name: "train", digest: "abc123" });
    const history = run.data.tags.find((tag) => tag.key === "mlflow.log-model.history")?.value ?? "[]";
    expect(JSON.parse(history)).toEqual([expect.objectContaining({ artifact_path: "model" })]);
  });

  it("searches runs with a filter and order, one page and all pages", async () => {
    const searchExp = await client.createExperiment("search-exp");
    for (let index = 0; index < 5; index++) {
      const { info } = await client.createRun({ experimentId: searchExp, runName: `r${index}` });
      await client.logMetric(info.run_id, "score", index);
    }
    const page = await client.searchRuns({
      experimentIds: [searchExp],
      filter: "metrics.score >= 1",
      orderBy: ["metrics.score DESC"],
      maxResults: 2,
    });
    expect(page.items.map((run) => run.info.run_name)).toEqual(["r4", "r3"]);
    expect(page.nextPageToken).toBeTypeOf("string");
    const all = await client.searchAllRuns({
      experimentIds: [searchExp],
      filter: "metrics.score >= 1",
      orderBy: ["metrics.score DESC"],
      maxResults: 2,
    });
    expect(all.map((run) => run.info.run_name)).toEqual(["r4", "r3", "r2", "r1"]);
    const bad = await rejection(client.searchRuns({ experimentIds: [searchExp], filter: "metrics.score >>> 1" }));
    expect(bad.code).toBe("INVALID_PARAMETER_VALUE");
  });
});

describe("metrics", () => {
  it("follows page tokens through a metric's history", async () => {
    const experimentId = await client.createExperiment("history-exp");
    const { info } = await client.createRun({ experimentId });
    const metrics = Array.from({ length: 30 }, (_, step) => ({
      key: "m",
      value: step / 10,
      step,
      timestamp: 1 + step,
    }));
    await client.logBatch(info.run_id, { metrics });
    const history = await client.getMetricHistory(info.run_id, "m", { pageSize: 7 });
    expect(history.map((point) => point.step)).toEqual(metrics.map((point) => point.step));
    expect(history[3]).toEqual({ key: "m", value: 0.3, timestamp: 4, step: 3 });
  });

  it("reads one metric of several runs, down-sampled, with get-history-bulk-interval", async () => {
    const experimentId = await client.createExperiment("bulk-exp");
    const runIds: string[] = [];
    for (let index = 0; index < 2; index++) {
      const { info } = await client.createRun({ experimentId });
      runIds.push(info.run_id);
      const metrics = Array.from({ length: 50 }, (_, step) => ({ key: "loss", value: step, step, timestamp: 1 }));
      await client.logBatch(info.run_id, { metrics });
    }
    const all = await client.getMetricHistoryBulkInterval({ runIds, metricKey: "loss" });
    expect(all).toHaveLength(100);
    expect(new Set(all.map((point) => point.run_id))).toEqual(new Set(runIds));
    const window = await client.getMetricHistoryBulkInterval({
      runIds,
      metricKey: "loss",
      startStep: 10,
      endStep: 19,
      maxResults: 5,
    });
    expect(window.length).toBeGreaterThan(0);
    expect(window.every((point) => point.step >= 10 && point.step <= 19)).toBe(true);
  });
});

describe("artifacts/list", () => {
  it("lists a run's artifacts with paths relative to the run root", async () => {
    const experimentId = await client.createExperiment("list-exp");
    const { info } = await client.createRun({ experimentId });
    const root = info.artifact_uri.replace("mlflow-artifacts:/", "");
    for (const path of ["a.txt", "dir/b.txt"]) {
      const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`, {
        method: "PUT",
        body: path,
      });
      expect(response.status).toBe(200);
    }
    expect(await client.listArtifacts(info.run_id)).toEqual([
      { path: "a.txt", is_dir: false, file_size: 5 },
      { path: "dir", is_dir: true },
    ]);
    expect(await client.listArtifacts(info.run_id, "dir")).toEqual([
      { path: "dir/b.txt", is_dir: false, file_size: 9 },
    ]);
  });
});
