import { describe, expect, it } from "vitest";
import { binOf, computeBinEdges } from "./binning.js";
import { readCsvDataset, subset } from "./dataset.js";
import { trainHistGradientBoosting } from "./hgb.js";
import { predict } from "./predict.js";
import { DIABETES, expectClose, IRIS } from "./test-helpers.js";

// Reference values: scikit-learn 1.2.1 HistGradientBoosting{Classifier,Regressor}, same parameters.
describe("histogram gradient boosting", () => {
  it("matches scikit-learn's multiclass probabilities", async () => {
    const iris = await readCsvDataset(IRIS);
    const model = trainHistGradientBoosting(iris, "classification", { max_iter: 20 });
    expect(model.postTransform).toBe("softmax");
    expect(model.trees).toHaveLength(60);
    const p = predict(
      model,
      [0, 50, 70, 100, 133].map((i) => iris.rows[i]!),
    ).probabilities!;
    const expected = [
      [0.98593, 0.007041, 0.00703],
      [0.008869, 0.976464, 0.014666],
      [0.035347, 0.376506, 0.588147],
      [0.007447, 0.008114, 0.98444],
      [0.032119, 0.474364, 0.493517],
    ];
    expectClose(p, expected, 5);
  });

  it("matches scikit-learn's binary probabilities (one logistic score)", async () => {
    const iris = await readCsvDataset(IRIS);
    const two = subset(
      iris,
      Array.from({ length: 100 }, (_, i) => i + 50),
    );
    const model = trainHistGradientBoosting(two, "classification", { max_iter: 20 });
    expect(model.postTransform).toBe("logistic");
    expect(model.baseValues).toHaveLength(1);
    const p = predict(
      model,
      [50, 70, 83, 100, 133].map((i) => iris.rows[i]!),
    ).probabilities!;
    expectClose(
      p.map((row) => row[1]!),
      [0.148916, 0.6527, 0.486006, 0.934691, 0.486006],
      5,
    );
  });

  it("matches scikit-learn's regression with quantile bins", async () => {
    const data = await readCsvDataset(DIABETES);
    const model = trainHistGradientBoosting(data, "regression", { max_iter: 20, max_bins: 32 });
    const values = predict(
      model,
      [0, 1, 2, 100].map((i) => data.rows[i]!),
    ).values!;
    expectClose(values, [193.102611, 91.603854, 167.278802, 158.885689], 4);
  });

  it("exports thresholds as real feature values", async () => {
    const iris = await readCsvDataset(IRIS);
    const model = trainHistGradientBoosting(iris, "classification", { max_iter: 5 });
    const seen = new Set<string>();
    for (const tree of model.trees) {
      tree.feature.forEach((f, i) => {
        if (f >= 0) seen.add(`${f}:${tree.threshold[i]}`);
      });
    }
    for (const key of seen) {
      const [f, t] = key.split(":").map(Number) as [number, number];
      const values = iris.rows.map((row) => row[f]!);
      // Each threshold lies strictly between two observed values.
      expect(values.some((v) => v < t) && values.some((v) => v > t)).toBe(true);
    }
  });

  it("stops early on a validation fraction when asked", async () => {
    const iris = await readCsvDataset(IRIS);
    const model = trainHistGradientBoosting(iris, "classification", {
      max_iter: 500,
      early_stopping: true,
      n_iter_no_change: 3,
      random_state: 1,
    });
    expect(model.trees.length).toBeLessThan(1500);
    expect(model.trees.length % 3).toBe(0);
  });

  it("validates parameters", async () => {
    const iris = await readCsvDataset(IRIS);
    expect(() => trainHistGradientBoosting(iris, "classification", { learning_rate: 0 })).toThrow(
      "Invalid learning_rate=0: learning_rate must be a number > 0.",
    );
    expect(() => trainHistGradientBoosting(iris, "classification", { max_bins: 256 })).toThrow(
      "Invalid max_bins=256: max_bins must be an integer in [2, 255].",
    );
    expect(() => trainHistGradientBoosting(iris, "classification", { max_leaf_nodes: 1 })).toThrow(/max_leaf_nodes=1/);
    expect(() => trainHistGradientBoosting(iris, "classification", { early_stopping: "yes" as never })).toThrow(
      'Invalid early_stopping="yes": early_stopping must be "auto", true or false.',
    );
  });
});

describe("binning", () => {
  it("puts a value at an edge in the lower bin", () => {
    const rows = [1, 2, 3, 4].map((v) => Float64Array.from([v]));
    const { edges } = computeBinEdges(rows, 255);
    expect(Array.from(edges[0]!)).toEqual([1.5, 2.5, 3.5]);
    expect(binOf(edges[0]!, 1.5)).toBe(0);
    expect(binOf(edges[0]!, 1.6)).toBe(1);
    expect(binOf(edges[0]!, 100)).toBe(3);
  });

  it("caps the number of bins with quantiles", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => Float64Array.from([i]));
    const { edges } = computeBinEdges(rows, 10);
    expect(edges[0]!.length).toBe(9);
    expect(edges[0]![4]).toBeCloseTo(499.5, 9);
  });
});
