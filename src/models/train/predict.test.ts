import { describe, expect, it } from "vitest";
import type { LinearModel, TreeEnsembleModel, TreeNodes } from "./model.js";
import { findLeaf, predict } from "./predict.js";

/** x0 <= 1.5 → leaf 1, else leaf 2. */
function stump(left: number[], right: number[], threshold = 1.5): TreeNodes {
  return {
    feature: [0, -1, -1],
    threshold: [threshold, 0, 0],
    left: [1, -1, -1],
    right: [2, -1, -1],
    values: [[0], left, right],
  };
}

describe("predict", () => {
  it("sends a row equal to the threshold left (BRANCH_LEQ) and NaN right", () => {
    const tree = stump([1], [2]);
    expect(findLeaf(tree, [1.5])).toBe(1);
    expect(findLeaf(tree, [1.5000001])).toBe(2);
    expect(findLeaf(tree, [Number.NaN])).toBe(2);
  });

  it("averages class probabilities of a forest and labels by the first maximum", () => {
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["x"],
      classes: ["a", "b"],
      trees: [stump([1, 0], [0, 1]), stump([0.5, 0.5], [0.2, 0.8], 0.5)],
      aggregate: "average",
      baseValues: [0, 0],
      postTransform: "none",
    };
    const out = predict(model, [[1], [0], [2]]);
    expect(out.probabilities![0]).toEqual([0.6, 0.4]);
    expect(out.probabilities![1]).toEqual([0.75, 0.25]);
    expect(out.probabilities![2]).toEqual([0.1, 0.9]);
    expect(out.labels).toEqual(["a", "a", "b"]);
    // A tie goes to the first class.
    const tie = predict({ ...model, trees: [stump([0.5, 0.5], [0.5, 0.5])] }, [[0]]);
    expect(tie.labels).toEqual(["a"]);
  });

  it("sums boosted scores, adds the base value and applies the logistic for two classes", () => {
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["x"],
      classes: [0, 1],
      trees: [stump([-1], [1]), stump([-0.5], [0.5])],
      aggregate: "sum",
      baseValues: [0.25],
      postTransform: "logistic",
    };
    const out = predict(model, [[0], [3]]);
    const p0 = 1 / (1 + Math.exp(1.25));
    const p1 = 1 / (1 + Math.exp(-1.75));
    expect(out.probabilities![0]![1]).toBeCloseTo(p0, 15);
    expect(out.probabilities![0]![0]).toBeCloseTo(1 - p0, 15);
    expect(out.probabilities![1]![1]).toBeCloseTo(p1, 15);
    expect(out.labels).toEqual([0, 1]);
  });

  it("applies softmax to per-class scores", () => {
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["x"],
      classes: ["a", "b", "c"],
      trees: [stump([1, 0, 0], [0, 0, 0]), stump([0, 0, 0], [0, 0, 2])],
      aggregate: "sum",
      baseValues: [0, 0.5, 0],
      postTransform: "softmax",
    };
    const [low, high] = predict(model, [[0], [2]]).probabilities!;
    const z = Math.exp(1) + Math.exp(0.5) + 1;
    expect(low![0]).toBeCloseTo(Math.exp(1) / z, 15);
    expect(high![2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(0.5) + Math.exp(2)), 15);
  });

  it("computes linear regression values and rejects rows of the wrong width", () => {
    const model: LinearModel = {
      kind: "linear",
      task: "regression",
      featureNames: ["a", "b"],
      coefficients: [[2, -1]],
      intercepts: [0.5],
      postTransform: "none",
    };
    expect(predict(model, [[1, 1], Float64Array.from([3, 2])]).values).toEqual([1.5, 4.5]);
    expect(() => predict(model, [[1]])).toThrow(/Row 0 has 1 values but the model takes 2 features/);
  });

  it("regression trees give leaf values, averaged", () => {
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "regression",
      featureNames: ["x"],
      trees: [stump([1], [3]), stump([2], [5])],
      aggregate: "average",
      baseValues: [0],
      postTransform: "none",
    };
    expect(predict(model, [[0], [9]]).values).toEqual([1.5, 4]);
  });
});
