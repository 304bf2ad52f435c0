/**
 * Logging model directories to a real `lathe server` and loading them back by URI.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/index.js";
import { loadModelFromUri, logModel } from "../../src/models/log.js";
import { parseMLModel } from "../../src/models/mlmodel.js";
import { openOnnxModel } from "../../src/models/model-dir.js";
import { saveTrainedModel } from "../../src/models/save-trained.js";
import type { LinearModel } from "../../src/models/train/model.js";
import { predict } from "../../src/models/train/predict.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const FIXTURE = join(import.meta.dirname, "../fixtures/mlflow-onnx-model");
let server: TestServer;
let client: LatheClient;
let runId: string;
const scratch = await mkdtemp(join(tmpdir(), "lathe-log-model-"));

beforeAll(async () => {
  server = await startTestServer();
  client = new LatheClient({ trackingUri: server.url });
  const run = await client.startRun({ experiment: "models", recordEnvironment: false });
  runId = run.id;
  await run.end();
});

afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("logModel and loadModelFromUri", () => {
  it("logs a model directory as run artifacts and records the log-model history", async () => {
    const logged = await logModel(client, runId, FIXTURE);
    expect(logged.modelUri).toBe(`runs:/${runId}/model`);
    expect(logged.mlmodel.run_id).toBe(runId);
    const run = await client.getRun(runId);
    const history = JSON.parse(run.data.tags.find((tag) => tag.key === "mlflow.log-model.history")?.value ?? "[]");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      run_id: runId,
      artifact_path: "model",
      flavors: { onnx: { data: "model.onnx" } },
    });
    expect(typeof history[0].signature.inputs).toBe("string");
    const listed = await client.listArtifacts(runId, "model");
    expect(listed.map((file) => file.path).sort()).toEqual([
      "model/MLmodel",
      "model/conda.yaml",
      "model/metadata",
      "model/model.onnx",
      "model/python_env.yaml",
      "model/requirements.txt",
    ]);
  });

  it("loads runs:/ URIs and predicts", async () => {
    const dest = join(scratch, "by-run");
    const loaded = await loadModelFromUri(`runs:/${runId}/model`, client, { destDir: dest });
    expect(loaded.mlmodel.run_id).toBe(runId);
    expect(loaded.source.runId).toBe(runId);
    const downloaded = parseMLModel(await readFile(join(loaded.dir, "metadata/MLmodel"), "utf8"));
    expect(downloaded.run_id).toBe(runId);
    const model = await openOnnxModel(loaded);
    expect(
      (
        await model.predict({
          columns: ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
          rows: [[6.7, 3.1, 5.6, 2.4]],
        })
      ).label,
    ).toEqual(["virginica"]);
    await model.close();
  });

  it("loads models:/ URIs by version and by alias", async () => {
    await client.createRegisteredModel("iris");
    const version = await client.createModelVersion("iris", `runs:/${runId}/model`, { runId });
    await client.setRegisteredModelAlias("iris", "champion", version.version);
    const byVersion = await loadModelFromUri(`models:/iris/${version.version}`, client, {
      destDir: join(scratch, "v"),
    });
    expect(byVersion.flavor.data).toBe("model.onnx");
    expect(byVersion.source).toMatchObject({ name: "iris", version: version.version });
    const byAlias = await loadModelFromUri("models:/iris@champion", client);
    expect(await readFile(byAlias.modelPath)).toEqual(await readFile(join(FIXTURE, "model.onnx")));
    await rm(byAlias.dir, { recursive: true, force: true });
  });

  it("loads local paths", async () => {
    const loaded = await loadModelFromUri(FIXTURE, client);
    expect(loaded.modelPath).toBe(join(FIXTURE, "model.onnx"));
  });

  it("refuses what it cannot load, saying what to use", async () => {
    await expect(loadModelFromUri("s3://bucket/model", client)).rejects.toThrow(/use runs:\/<run_id>\/<path>/);
    await expect(loadModelFromUri("models:/nope/1", client, { destDir: join(scratch, "nope") })).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    await expect(
      loadModelFromUri(`runs:/${runId}/missing`, client, { destDir: join(scratch, "missing") }),
    ).rejects.toThrow(/No MLmodel file/);
    await expect(logModel(client, runId, scratch)).rejects.toThrow(/No MLmodel file/);
    await expect(logModel(client, runId, FIXTURE, { artifactPath: "../x" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });

  it("takes a Lathe-trained model from a folder to models:/name@alias and back", async () => {
    const model: LinearModel = {
      kind: "linear",
      task: "classification",
      featureNames: ["x1", "x2"],
      classes: ["low", "high"],
      coefficients: [[1.5, -0.5]],
      intercepts: [-1],
      postTransform: "logistic",
    };
    const dir = join(scratch, "trained");
    await saveTrainedModel(dir, model, { inputExample: [[1, 2]] });
    const run = await client.startRun({ experiment: "models", recordEnvironment: false });
    const logged = await logModel(client, run.id, dir, { artifactPath: "classifier" });
    await run.end();
    await client.createRegisteredModel("trained");
    const version = await client.createModelVersion("trained", logged.modelUri, { runId: run.id });
    await client.setRegisteredModelAlias("trained", "champion", version.version);
    const loaded = await loadModelFromUri("models:/trained@champion", client, {
      destDir: join(scratch, "trained-back"),
    });
    expect(loaded.mlmodel.run_id).toBe(run.id);
    expect(loaded.mlmodel.artifact_path).toBe("classifier");
    expect(loaded.mlmodel.saved_input_example_info).toMatchObject({ artifact_path: "input_example.json" });
    const onnx = await openOnnxModel(loaded);
    const rows = [
      [2, 1],
      [0, 3],
    ];
    const result = await onnx.predict([
      { x2: 1, x1: 2 },
      { x2: 3, x1: 0 },
    ]);
    expect(result.label).toEqual(predict(model, rows).labels);
    await onnx.close();
  });
});
