/**
 * ONNX export of models from the built-in trainers: every exported graph, run by onnxruntime,
 * gives the labels and probabilities (or values) of the reference `predict`.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModelDir, openOnnxModel } from "../../src/models/model-dir.js";
import { exportToOnnx } from "../../src/models/onnx/export.js";
import { OnnxModel } from "../../src/models/onnx/runtime.js";
import { saveTrainedModel } from "../../src/models/save-trained.js";
import type { Dataset } from "../../src/models/train/dataset.js";
import type { TrainedModel } from "../../src/models/train/model.js";
import { predict } from "../../src/models/train/predict.js";
import { type Algorithm, train } from "../../src/models/train/train.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/onnx");

/** A small deterministic generator, so failures reproduce. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The rows and labels (or values) of one of the scikit-learn fixtures, as a dataset. */
function fixtureDataset(name: string): Dataset {
  const fixture = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), "utf8")) as {
    columns: string[];
    rows: number[][];
    label?: (string | number)[];
    prediction?: number[];
  };
  return {
    featureNames: fixture.columns,
    rows: fixture.rows.map((row) => Float64Array.from(row)),
    target: fixture.label ?? fixture.prediction ?? [],
    targetName: "target",
  };
}

/** 400 rows of 5 features (values on a coarse grid, so ties and repeated thresholds occur). */
function syntheticDataset(seed: number, target: "binary" | "multiclass" | "regression"): Dataset {
  const random = generator(seed);
  const rows = Array.from({ length: 400 }, () => Float64Array.from({ length: 5 }, () => Math.round(random() * 40) / 4));
  const score = (row: Float64Array) =>
    (row[0] as number) - 0.5 * (row[1] as number) + ((row[2] as number) * (row[3] as number)) / 10 + random() * 3;
  return {
    featureNames: ["f0", "f1", "f2", "f3", "f4"],
    rows,
    target: rows.map((row) => {
      const value = score(row);
      if (target === "regression") return value;
      if (target === "binary") return value > 5 ? "yes" : "no";
      return value < 3 ? 0 : value < 7 ? 1 : 2;
    }),
    targetName: "target",
  };
}
const scratch = await mkdtemp(join(tmpdir(), "lathe-export-trained-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function expectSameAsPredict(model: TrainedModel, rows: number[][]): Promise<void> {
  const onnx = await OnnxModel.load(exportToOnnx(model));
  try {
    const ours = await onnx.predict(rows);
    const expected = predict(model, rows);
    if (model.task === "regression") {
      (ours.prediction as number[]).forEach((value, index) => {
        const want = expected.values?.[index] as number;
        expect(Math.abs(value - want) / Math.max(1, Math.abs(want)), `row ${index}`).toBeLessThan(1e-5);
      });
      return;
    }
    expect(ours.label).toEqual(expected.labels);
    ours.probabilities?.forEach((row, index) => {
      row.forEach((value, k) => {
        expect(Math.abs(value - (expected.probabilities?.[index]?.[k] as number)), `row ${index}`).toBeLessThan(1e-5);
      });
    });
  } finally {
    await onnx.close();
  }
}

const DATASETS: Record<string, () => Dataset> = {
  iris: () => fixtureDataset("iris_logreg"),
  diabetes: () => fixtureDataset("diabetes_linreg"),
  binary: () => syntheticDataset(1, "binary"),
  multiclass: () => syntheticDataset(2, "multiclass"),
  regression: () => syntheticDataset(3, "regression"),
};

const CASES: [string, Algorithm, Record<string, unknown>][] = [
  ["iris", "tree", {}],
  ["iris", "rf", { n_estimators: 15, random_state: 0 }],
  ["iris", "logreg", {}],
  ["diabetes", "ridge", {}],
  ["binary", "tree", {}],
  ["binary", "rf", { n_estimators: 10, random_state: 1 }],
  ["binary", "logreg", {}],
  ["multiclass", "rf", { n_estimators: 12, random_state: 2 }],
  ["multiclass", "logreg", {}],
  ["regression", "tree", { max_depth: 6 }],
  ["regression", "rf", { n_estimators: 10, random_state: 3 }],
  ["regression", "linear", {}],
  ["iris", "hgb", { max_iter: 30, random_state: 0 }],
  ["binary", "hgb", { max_iter: 30, random_state: 0 }],
  ["multiclass", "hgb", { max_iter: 20, random_state: 0 }],
  ["regression", "hgb", { max_iter: 30, random_state: 0 }],
];

describe("exporting trained models", () => {
  for (const [name, algo, options] of CASES) {
    it(`${algo} on ${name} matches predict`, async () => {
      const data = DATASETS[name]?.() as Dataset;
      // Features as float32, which is what the ONNX graph reads.
      data.rows = data.rows.map((row) => Float64Array.from(row, Math.fround));
      const model = train(algo, data, options);
      await expectSameAsPredict(
        model,
        data.rows.map((row) => [...row]),
      );
    });
  }

  it("saves a trained model as a directory Lathe loads and serves by column name", async () => {
    const data = fixtureDataset("iris_logreg");
    const model = train("logreg", data, {});
    const dir = join(scratch, "iris");
    const mlmodel = await saveTrainedModel(dir, model, { inputExample: data.rows.slice(0, 2).map((row) => [...row]) });
    expect(mlmodel.signature?.inputs.map((spec) => spec.name)).toEqual(data.featureNames);
    expect(mlmodel.saved_input_example_info).toMatchObject({ type: "dataframe" });
    const loaded = await loadModelDir(dir);
    const onnx = await openOnnxModel(loaded);
    const record = Object.fromEntries(
      data.featureNames.map((name, index) => [name, data.rows[0]?.[index] as number]).reverse(),
    );
    expect((await onnx.predict([record])).label).toEqual(predict(model, [data.rows[0] as Float64Array]).labels);
    await onnx.close();
  });
});
