/**
 * The npm `mlflow` client (2.0.7) driven against a real `lathe server`: experiments, runs, metrics
 * and artifacts through the calls it really makes (`experiments/list`, the slash-less
 * `experimentsset-experiment-tag`, `run_uuid` beside `run_id`), asserting the values it returns.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

type MLflowClass = typeof import("mlflow").default;
type Enums = typeof import("mlflow/enum.js");

const require = createRequire(import.meta.url);
const MLflow = require("mlflow") as MLflowClass;
const { RunStatus, ViewType } = require("mlflow/enum.js") as Enums;

interface KeyValue {
  key: string;
  value: string;
}

function tagValue(tags: readonly KeyValue[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.key === key)?.value;
}

describe("npm mlflow client against lathe server", () => {
  let server: TestServer;
  let client: InstanceType<MLflowClass>;
  let logSpy: MockInstance;
  let experimentId = "";
  let runId = "";
  let otherRunId = "";
  const start = Date.now();

  beforeAll(async () => {
    // The client console.logs every request body.
    logSpy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    server = await startTestServer();
    client = new MLflow({ endpoint: server.url });
  });

  afterAll(async () => {
    await server?.close();
    logSpy.mockRestore();
  });

  describe("experiments", () => {
    it("creates an experiment and gets it back", async () => {
      const created = await client.Experiments.create({ name: "npm-client", artifact_location: undefined as never });
      expect(created.experiment_id).toMatch(/^\d+$/);
      experimentId = created.experiment_id;

      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      expect(experiment.experiment_id).toBe(experimentId);
      expect(experiment.name).toBe("npm-client");
      expect(experiment.lifecycle_stage).toBe("active");
      expect(experiment.artifact_location).toBe(`mlflow-artifacts:/${experimentId}`);
      expect(experiment.creation_time).toBeGreaterThanOrEqual(start - 1000);
    });

    it("lists experiments through the 1.x experiments/list endpoint", async () => {
      const { experiments } = await client.Experiments.list();
      const names = experiments.map((experiment) => experiment.name);
      expect(names).toContain("Default");
      expect(names).toContain("npm-client");
    });

    it("renames an experiment", async () => {
      expect(await client.Experiments.update({ experiment_id: experimentId, new_name: "npm-client-renamed" })).toEqual(
        {},
      );
      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      expect(experiment.name).toBe("npm-client-renamed");
    });

    it("sets an experiment tag through the slash-less path", async () => {
      await client.Experiments.setExperimentTag({ experiment_id: experimentId, key: "team", value: "vision" });
      await client.Experiments.setExperimentTag({ experiment_id: experimentId, key: "team", value: "nlp" });
      const { experiment } = await client.Experiments.get({ experiment_id: experimentId });
      expect(tagValue(experiment.tags, "team")).toBe("nlp");
      expect(experiment.tags.filter((tag) => tag.key === "team")).toHaveLength(1);
    });

    it("deletes and restores an experiment", async () => {
      const scratch = await client.Experiments.create({ name: "npm-scratch", artifact_location: undefined as never });
      expect(await client.Experiments.delete({ experiment_id: scratch.experiment_id })).toEqual({});
      let { experiment } = await client.Experiments.get({ experiment_id: scratch.experiment_id });
      expect(experiment.lifecycle_stage).toBe("deleted");

      const active = await client.Experiments.list();
      expect(active.experiments.map((item) => item.name)).not.toContain("npm-scratch");
      const deleted = await client.Experiments.list({ view_type: ViewType.DELETED_ONLY });
      expect(deleted.experiments.map((item) => item.name)).toEqual(["npm-scratch"]);

      expect(await client.Experiments.restore({ experiment_id: scratch.experiment_id })).toEqual({});
      ({ experiment } = await client.Experiments.get({ experiment_id: scratch.experiment_id }));
      expect(experiment.lifecycle_stage).toBe("active");
    });

    it("surfaces server errors as thrown errors carrying the error_code", async () => {
      await expect(client.Experiments.get({ experiment_id: "987654" })).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);
      await expect(
        client.Experiments.create({ name: "npm-client-renamed", artifact_location: undefined as never }),
      ).rejects.toThrow(/RESOURCE_ALREADY_EXISTS/);
    });
  });

  describe("runs", () => {
    it("creates runs with tags", async () => {
      const { run } = await client.Runs.create({
        experiment_id: experimentId,
        user_id: "ada",
        start_time: start,
        tags: [{ key: "mlflow.runName", value: "first" }],
      });
      runId = run.info.run_id;
      expect(runId).toMatch(/^[0-9a-f]{32}$/);
      expect(run.info.experiment_id).toBe(experimentId);
      expect(run.info.user_id).toBe("ada");
      expect(run.info.status).toBe("RUNNING");
      expect(run.info.start_time).toBe(start);
      expect(run.info.lifecycle_stage).toBe("active");
      expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
      expect(tagValue(run.data.tags, "mlflow.runName")).toBe("first");

      const other = await client.Runs.create({ experiment_id: experimentId, user_id: "ada", start_time: start + 1 });
      otherRunId = other.run.info.run_id;
    });

    it("logs params, metrics, a batch and tags", async () => {
      expect(await client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.01" })).toEqual({});
      await client.Runs.logMetric({ run_id: runId, key: "acc", value: 0.5, timestamp: start, step: 0 });
      await client.Runs.logMetric({ run_id: runId, key: "acc", value: 0.75, timestamp: start + 10, step: 1 });
      await client.Runs.logBatch({
        run_id: runId,
        metrics: [
          { key: "acc", value: 0.9, timestamp: start + 20, step: 2 },
          { key: "loss", value: 0.125, timestamp: start + 20, step: 2 },
        ],
        params: [{ key: "epochs", value: "3" }],
        tags: [{ key: "stage", value: "train" }],
      });
      await client.Runs.setTag({ run_id: runId, key: "owner", value: "ada" });
      await client.Runs.setTag({ run_id: runId, key: "temporary", value: "yes" });
      expect(await client.Runs.deleteTag({ run_id: runId, key: "temporary" })).toEqual({});
      await client.Runs.logMetric({ run_id: otherRunId, key: "acc", value: 0.3, timestamp: start, step: 0 });

      const { run } = await client.Runs.get({ run_id: runId });
      const params = Object.fromEntries(run.data.params.map((param) => [param.key, param.value]));
      expect(params).toEqual({ lr: "0.01", epochs: "3" });
      const metrics = Object.fromEntries(run.data.metrics.map((metric) => [metric.key, metric]));
      expect(metrics.acc).toEqual({ key: "acc", value: 0.9, timestamp: start + 20, step: 2 });
      expect(metrics.loss).toEqual({ key: "loss", value: 0.125, timestamp: start + 20, step: 2 });
      expect(tagValue(run.data.tags, "stage")).toBe("train");
      expect(tagValue(run.data.tags, "owner")).toBe("ada");
      expect(tagValue(run.data.tags, "temporary")).toBeUndefined();
    });

    it("reads a metric's full history", async () => {
      const { metrics } = await client.Metrics.getHistory({ run_id: runId, metric_key: "acc" });
      expect([...metrics].sort((a, b) => a.step - b.step)).toEqual([
        { key: "acc", value: 0.5, timestamp: start, step: 0 },
        { key: "acc", value: 0.75, timestamp: start + 10, step: 1 },
        { key: "acc", value: 0.9, timestamp: start + 20, step: 2 },
      ]);
    });

    it("rejects a changed param value", async () => {
      await expect(client.Runs.logParameter({ run_id: runId, key: "lr", value: "0.5" })).rejects.toThrow(
        /INVALID_PARAMETER_VALUE/,
      );
    });

    it("updates a run's status and end time", async () => {
      const { run_info } = await client.Runs.update({
        run_id: runId,
        status: RunStatus.FINISHED,
        end_time: start + 99,
      });
      expect(run_info.run_id).toBe(runId);
      expect(run_info.status).toBe("FINISHED");
      expect(run_info.end_time).toBe(start + 99);
      const { run } = await client.Runs.get({ run_id: runId });
      expect(run.info.status).toBe("FINISHED");
      expect(run.info.end_time).toBe(start + 99);
    });

    it("searches runs with a filter and order_by", async () => {
      const ordered = await client.Runs.search({
        experiment_ids: [experimentId],
        filter: "metrics.acc > 0.1",
        order_by: ["metrics.acc DESC"],
        run_view_type: ViewType.ACTIVE_ONLY,
        max_results: 10,
      });
      expect(ordered.runs.map((run) => run.info.run_id)).toEqual([runId, otherRunId]);

      const ascending = await client.Runs.search({ experiment_ids: [experimentId], order_by: ["metrics.acc ASC"] });
      expect(ascending.runs.map((run) => run.info.run_id)).toEqual([otherRunId, runId]);

      const filtered = await client.Runs.search({
        experiment_ids: [experimentId],
        filter: "params.lr = '0.01' and tags.stage = 'train'",
      });
      expect(filtered.runs).toHaveLength(1);
      expect(filtered.runs[0]?.info.run_id).toBe(runId);

      const none = await client.Runs.search({ experiment_ids: [experimentId], filter: "metrics.acc > 5" });
      expect(none.runs ?? []).toEqual([]);

      await expect(client.Runs.search({ experiment_ids: [experimentId], filter: "metrics.acc >>> 1" })).rejects.toThrow(
        /INVALID_PARAMETER_VALUE/,
      );
    });

    it("deletes and restores a run", async () => {
      expect(await client.Runs.delete({ run_id: otherRunId })).toEqual({});
      let { run } = await client.Runs.get({ run_id: otherRunId });
      expect(run.info.lifecycle_stage).toBe("deleted");
      const active = await client.Runs.search({ experiment_ids: [experimentId] });
      expect(active.runs.map((item) => item.info.run_id)).toEqual([runId]);
      const deleted = await client.Runs.search({
        experiment_ids: [experimentId],
        run_view_type: ViewType.DELETED_ONLY,
      });
      expect(deleted.runs.map((item) => item.info.run_id)).toEqual([otherRunId]);

      expect(await client.Runs.restore({ run_id: otherRunId })).toEqual({});
      ({ run } = await client.Runs.get({ run_id: otherRunId }));
      expect(run.info.lifecycle_stage).toBe("active");
    });
  });

  describe("artifacts", () => {
    it("lists a file uploaded through the proxy", async () => {
      const bytes = randomBytes(2048);
      const target = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/weights.bin`;
      const put = await fetch(target, { method: "PUT", body: bytes });
      expect(put.status).toBe(200);
      expect(await put.json()).toEqual({});

      const root = await client.Artifacts.list({ run_id: runId, path: "" });
      expect(root.root_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
      expect(root.files).toEqual([{ path: "model", is_dir: true }]);

      const model = await client.Artifacts.list({ run_id: runId, path: "model" });
      expect(model.files).toEqual([{ path: "model/weights.bin", is_dir: false, file_size: 2048 }]);

      const download = await fetch(target);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it("lists nothing for a run without artifacts", async () => {
      const empty = await client.Artifacts.list({ run_id: otherRunId, path: "" });
      expect(empty.root_uri).toBe(`mlflow-artifacts:/${experimentId}/${otherRunId}/artifacts`);
      expect(empty.files ?? []).toEqual([]);
    });
  });

  it("sent run_uuid beside run_id and logged bodies to the console", () => {
    const bodies = logSpy.mock.calls.map((call) => String(call[0]));
    expect(bodies.some((body) => body.includes(`"run_uuid":"${runId}"`))).toBe(true);
  });
});
