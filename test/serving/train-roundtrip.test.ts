/**
 * A Lathe-trained model round-trips: `lathe train --track --register` on iris, the alias pointed at
 * the new version, `lathe serve models:/iris@champion` — and the served predictions equal those of
 * the same model trained in-process. The run carries the metrics, the model, the confusion matrix
 * image and the training sample kept as the drift reference.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatheClient } from "../../src/client/client.js";
import { stratifiedKFold } from "../../src/models/train/cv.js";
import { readCsvDataset, subset } from "../../src/models/train/dataset.js";
import { predict } from "../../src/models/train/predict.js";
import { train } from "../../src/models/train/train.js";
import { parseParamPairs, trainCommand } from "../../src/models/train-command.js";
import { IRIS } from "../helpers/datasets.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { type ServingUnderTest, startServing } from "./helpers.js";

let registry: TestServer;
let client: LatheClient;
let serving: ServingUnderTest | undefined;
let folder: string;

beforeAll(async () => {
  registry = await startTestServer();
  client = new LatheClient({ trackingUri: registry.url });
  folder = mkdtempSync(join(tmpdir(), "lathe-train-roundtrip-"));
});
afterAll(async () => {
  await serving?.close();
  await registry.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("train → register → serve by alias", () => {
  it("serves exactly what the in-process model predicts, and records the run", async () => {
    const result = await trainCommand({
      data: IRIS,
      target: "species",
      algo: "rf",
      params: parseParamPairs(["n_estimators=20", "max_depth=4"]),
      client,
      experiment: "iris",
      register: "iris",
    });
    expect(result.registered).toEqual({ name: "iris", version: "1" });
    expect(result.metrics.accuracy).toBeGreaterThan(0.85);
    await client.setRegisteredModelAlias("iris", "champion", "1");

    const run = await client.getRun(result.runId!);
    expect(run.data.params.find((param) => param.key === "n_estimators")?.value).toBe("20");
    expect(run.data.metrics.map((metric) => metric.key)).toEqual(
      expect.arrayContaining(["accuracy", "f1_macro", "roc_auc", "energy_kwh", "emissions_kg"]),
    );
    const artifacts = (await client.listArtifacts(result.runId!)).map((file) => file.path);
    expect(artifacts).toEqual(expect.arrayContaining(["confusion_matrix.png", "emissions.csv", "model", "reference"]));
    expect(result.energy.energy_kwh).toBeGreaterThan(0);

    // The same split and model, in-process.
    const data = await readCsvDataset(IRIS, { target: "species" });
    const [fold] = stratifiedKFold(data.target, { n_splits: 5, shuffle: true, random_state: 0 });
    const model = train("rf", subset(data, fold!.train), { n_estimators: 20, max_depth: 4, random_state: 0 });
    const expected = predict(model, data.rows).labels;

    serving = await startServing("models:/iris@champion", { trackingUri: registry.url });
    const reply = await serving.post("/invocations", {
      dataframe_split: { columns: data.featureNames, data: data.rows.map((row) => [...row]) },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.predictions).toEqual(expected);
  });

  it("refuses what it cannot do, naming the fix", async () => {
    await expect(trainCommand({ data: IRIS, algo: "svm" })).rejects.toThrow(/Unknown algorithm 'svm'.*rf/);
    await expect(trainCommand({ data: IRIS, algo: "rf", register: "x" })).rejects.toThrow(/--register needs/);
    expect(() => parseParamPairs(["n_estimators"])).toThrow(/key=value/);
    await expect(trainCommand({ data: IRIS, algo: "rf", testFraction: 1.5, out: join(folder, "m") })).rejects.toThrow(
      /--test-fraction/,
    );
  });
});
