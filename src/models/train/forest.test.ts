import { describe, expect, it } from "vitest";
import { type Dataset, readCsvDataset } from "./dataset.js";
import { trainDecisionTree, trainRandomForest } from "./forest.js";
import { predict } from "./predict.js";
import { IRIS } from "./test-helpers.js";

function dataset(rows: number[][], target: (string | number)[]): Dataset {
  return {
    featureNames: rows[0]!.map((_, j) => `f${j}`),
    rows: rows.map((row) => Float64Array.from(row)),
    target,
    targetName: "y",
  };
}

function leaves(model: { trees: { left: number[] }[] }): number {
  return model.trees[0]!.left.filter((l) => l === -1).length;
}

describe("decision tree", () => {
  it("splits at the midpoint between neighbouring values and stores class probabilities", () => {
    const data = dataset([[1], [2], [3], [10], [11], [12]], ["a", "a", "a", "b", "b", "b"]);
    const model = trainDecisionTree(data, "classification");
    const tree = model.trees[0]!;
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(6.5);
    expect(tree.values[tree.left[0]!]).toEqual([1, 0]);
    expect(tree.values[tree.right[0]!]).toEqual([0, 1]);
    expect(model.classes).toEqual(["a", "b"]);
    expect(predict(model, [[6.5], [6.6]]).labels).toEqual(["a", "b"]);
  });

  it("fits the training set when grown fully and obeys max_depth and min_samples_leaf", async () => {
    const iris = await readCsvDataset(IRIS, { target: "species" });
    const full = trainDecisionTree(iris, "classification");
    const labels = predict(full, iris.rows).labels!;
    const wrong = labels.filter((label, i) => label !== iris.target[i]).length;
    expect(wrong).toBeLessThanOrEqual(1); // iris has two identical rows with different species
    expect(leaves(trainDecisionTree(iris, "classification", { max_depth: 1 }))).toBe(2);
    const pruned = trainDecisionTree(iris, "classification", { min_samples_leaf: 20 });
    const counts = new Map<number, number>();
    for (const row of iris.rows) {
      let node = 0;
      const tree = pruned.trees[0]!;
      while (tree.left[node] !== -1)
        node = row[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(20);
  });

  it("entropy also separates iris", async () => {
    const iris = await readCsvDataset(IRIS, { target: "species" });
    const model = trainDecisionTree(iris, "classification", { criterion: "entropy", max_depth: 3 });
    const labels = predict(model, iris.rows).labels!;
    expect(labels.filter((label, i) => label === iris.target[i]).length / 150).toBeGreaterThan(0.95);
  });

  it("regresses to leaf means", () => {
    const data = dataset([[0], [1], [2], [3]], [1, 1, 5, 7]);
    const model = trainDecisionTree(data, "regression", { max_depth: 1 });
    expect(model.trees[0]!.threshold[0]).toBe(1.5);
    expect(predict(model, [[0], [3]]).values).toEqual([1, 6]);
  });

  it("validates parameters with their name, value and range", () => {
    const data = dataset([[0], [1]], ["a", "b"]);
    expect(() => trainDecisionTree(data, "classification", { max_depth: 0 })).toThrow(
      "Invalid max_depth=0: max_depth must be an integer ≥ 1.",
    );
    expect(() => trainDecisionTree(data, "classification", { criterion: "squared_error" })).toThrow(
      /criterion="squared_error": criterion must be one of "gini", "entropy"/,
    );
    expect(() => trainDecisionTree(data, "classification", { min_samples_split: 1 })).toThrow(/min_samples_split=1/);
    expect(() => trainDecisionTree(data, "classification", { max_features: 5 })).toThrow(/max_features=5/);
  });
});

describe("random forest", () => {
  it("is deterministic for a seed and varies with it", async () => {
    const iris = await readCsvDataset(IRIS, { target: "species" });
    const a = trainRandomForest(iris, "classification", { n_estimators: 5, random_state: 3 });
    const b = trainRandomForest(iris, "classification", { n_estimators: 5, seed: 3 });
    const c = trainRandomForest(iris, "classification", { n_estimators: 5, random_state: 4 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a.trees).toHaveLength(5);
    const probabilities = predict(a, iris.rows).probabilities!;
    for (const p of probabilities) expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it("averages regression trees", () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i, (i * 7) % 5]);
    const data = dataset(
      rows,
      rows.map(([x]) => 2 * x!),
    );
    const model = trainRandomForest(data, "regression", { n_estimators: 20 });
    const values = predict(model, [[10, 0]]).values!;
    expect(values[0]).toBeGreaterThan(14);
    expect(values[0]).toBeLessThan(26);
  });

  it("checks n_estimators", () => {
    const data = dataset([[0], [1]], ["a", "b"]);
    expect(() => trainRandomForest(data, "classification", { n_estimators: 0 })).toThrow(
      "Invalid n_estimators=0: n_estimators must be an integer in [1, 100000].",
    );
  });
});
