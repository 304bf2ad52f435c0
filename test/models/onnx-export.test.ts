import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportToOnnx, float32AtMost } from "../../src/models/onnx/export.js";
import { OnnxModel } from "../../src/models/onnx/runtime.js";
import type { LinearModel, TrainedModel, TreeEnsembleModel, TreeNodes } from "../../src/models/train/model.js";
import { predict } from "../../src/models/train/predict.js";

const scratch = await mkdtemp(join(tmpdir(), "lathe-export-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A small deterministic generator, so failures reproduce. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomTree(
  random: () => number,
  features: number,
  outputs: number,
  depth: number,
  leafValue: () => number[],
): TreeNodes {
  const tree: TreeNodes = { feature: [], threshold: [], left: [], right: [], values: [] };
  const grow = (level: number): number => {
    const id = tree.left.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.values.push(new Array(outputs).fill(0));
    if (level < depth && random() < 0.85) {
      tree.feature[id] = Math.floor(random() * features);
      tree.threshold[id] = random() * 10 - 5;
      tree.left[id] = grow(level + 1);
      tree.right[id] = grow(level + 1);
    } else {
      tree.values[id] = leafValue();
    }
    return id;
  };
  grow(0);
  return tree;
}

function probabilityLeaf(random: () => number, classes: number): () => number[] {
  return () => {
    const raw = Array.from({ length: classes }, () => random());
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((value) => value / total);
  };
}

function randomRows(random: () => number, count: number, features: number): number[][] {
  return Array.from({ length: count }, () => Array.from({ length: features }, () => Math.fround(random() * 10 - 5)));
}

async function compare(model: TrainedModel, rows: number[][], tolerance = 1e-5): Promise<void> {
  const bytes = exportToOnnx(model);
  const onnx = await OnnxModel.load(bytes);
  try {
    expect(onnx.inputs).toEqual([
      { name: "float_input", type: "float32", shape: ["N", model.featureNames.length], isTensor: true },
    ]);
    const ours = await onnx.predict(rows);
    const expected = predict(model, rows);
    if (model.task === "regression") {
      expect(ours.prediction?.length).toBe(rows.length);
      (ours.prediction as number[]).forEach((value, index) => {
        const want = expected.values?.[index] as number;
        expect(Math.abs(value - want), `row ${index}`).toBeLessThan(tolerance * Math.max(1, Math.abs(want)));
      });
      return;
    }
    expect(ours.label).toEqual(expected.labels);
    ours.probabilities?.forEach((row, index) => {
      row.forEach((value, k) => {
        expect(
          Math.abs(value - (expected.probabilities?.[index]?.[k] as number)),
          `row ${index} class ${k}`,
        ).toBeLessThan(tolerance);
      });
    });
  } finally {
    await onnx.close();
  }
}

describe("float32AtMost", () => {
  it("rounds down to the largest float32 not above the value", () => {
    for (const value of [0.1, -0.1, 2.45, -2.45, 1e-50, -1e-50, 0, 1, 3.4e38, 5e-45]) {
      const rounded = float32AtMost(value);
      expect(rounded).toBeLessThanOrEqual(value);
      expect(Math.fround(rounded)).toBe(rounded);
      // The next float32 up is above the value.
      const bits = new Float32Array([rounded]);
      const view = new Int32Array(bits.buffer);
      view[0] = rounded >= 0 && !Object.is(rounded, -0) ? (view[0] as number) + 1 : (view[0] as number) - 1;
      if (rounded === 0 && Object.is(rounded, -0)) bits[0] = 1.401298464324817e-45;
      expect(bits[0] as number).toBeGreaterThan(value);
    }
    expect(float32AtMost(-1e-50)).toBe(-1.401298464324817e-45);
    expect(float32AtMost(Math.fround(0.1))).toBe(Math.fround(0.1));
  });
});

describe("ONNX export", () => {
  it("exports linear regression", async () => {
    const model: LinearModel = {
      kind: "linear",
      task: "regression",
      featureNames: ["a", "b", "c"],
      coefficients: [[1.5, -2.25, 0.125]],
      intercepts: [3],
      postTransform: "none",
    };
    await compare(model, randomRows(generator(1), 50, 3));
  });

  it("exports multinomial logistic regression with string classes", async () => {
    const model: LinearModel = {
      kind: "linear",
      task: "classification",
      featureNames: ["a", "b"],
      classes: ["setosa", "versicolor", "virginica"],
      coefficients: [
        [1, -1],
        [0.5, 0.25],
        [-1.5, 1],
      ],
      intercepts: [0.1, -0.2, 0.3],
      postTransform: "softmax",
    };
    await compare(model, randomRows(generator(2), 100, 2));
  });

  it("exports binary logistic regression with integer classes", async () => {
    const model: LinearModel = {
      kind: "linear",
      task: "classification",
      featureNames: ["a", "b"],
      classes: [0, 1],
      coefficients: [[0.8, -1.2]],
      intercepts: [0.05],
      postTransform: "logistic",
    };
    await compare(model, randomRows(generator(3), 100, 2));
  });

  it("exports random forests (average of class probabilities)", async () => {
    const random = generator(4);
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["a", "b", "c", "d"],
      classes: ["x", "y", "z"],
      trees: Array.from({ length: 20 }, () => randomTree(random, 4, 3, 6, probabilityLeaf(random, 3))),
      aggregate: "average",
      baseValues: [0, 0, 0],
      postTransform: "none",
    };
    await compare(model, randomRows(random, 300, 4));
  });

  it("exports multiclass boosting (softmax of summed scores)", async () => {
    const random = generator(5);
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["a", "b", "c"],
      classes: [3, 5, 7],
      trees: Array.from({ length: 30 }, () => randomTree(random, 3, 3, 4, () => [0, 1, 2].map(() => random() - 0.5))),
      aggregate: "sum",
      baseValues: [0.2, -0.1, 0.05],
      postTransform: "softmax",
    };
    await compare(model, randomRows(random, 300, 3));
  });

  it("exports binary boosting (logistic of one score)", async () => {
    const random = generator(6);
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["a", "b"],
      classes: ["no", "yes"],
      trees: Array.from({ length: 25 }, () => randomTree(random, 2, 1, 4, () => [random() - 0.5])),
      aggregate: "sum",
      baseValues: [0.3],
      postTransform: "logistic",
    };
    await compare(model, randomRows(random, 300, 2));
  });

  it("exports tree regressors (average and sum)", async () => {
    const random = generator(7);
    for (const aggregate of ["average", "sum"] as const) {
      const model: TreeEnsembleModel = {
        kind: "tree_ensemble",
        task: "regression",
        featureNames: ["a", "b", "c"],
        trees: Array.from({ length: 15 }, () => randomTree(random, 3, 1, 5, () => [random() * 100])),
        aggregate,
        baseValues: [aggregate === "sum" ? 10 : 0],
        postTransform: "none",
      };
      await compare(model, randomRows(random, 200, 3));
    }
  });

  it("sends rows that sit on a float64 threshold the way scikit-learn does", async () => {
    // 0.1 is not a float32: fround(0.1) > 0.1 must go right, the float32 just below must go left.
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["x"],
      classes: ["left", "right"],
      trees: [
        {
          feature: [0, -1, -1],
          threshold: [0.1, 0, 0],
          left: [1, -1, -1],
          right: [2, -1, -1],
          values: [
            [0.5, 0.5],
            [1, 0],
            [0, 1],
          ],
        },
      ],
      aggregate: "average",
      baseValues: [0, 0],
      postTransform: "none",
    };
    const above = Math.fround(0.1);
    const below = float32AtMost(0.1);
    expect(above).toBeGreaterThan(0.1);
    const onnx = await OnnxModel.load(exportToOnnx(model));
    expect((await onnx.predict([[above], [below], [Number.NaN]])).label).toEqual(["right", "left", "right"]);
    expect(predict(model, [[above], [below], [Number.NaN]]).labels).toEqual(["right", "left", "right"]);
    await onnx.close();
    await writeFile(join(scratch, "threshold.onnx"), exportToOnnx(model));
  });

  it("refuses inconsistent models, saying what is wrong", () => {
    const base: LinearModel = {
      kind: "linear",
      task: "classification",
      featureNames: ["a"],
      classes: ["p", "q", "r"],
      coefficients: [[1], [2]],
      intercepts: [0, 0],
      postTransform: "softmax",
    };
    expect(() => exportToOnnx(base)).toThrow(/2 outputs but 3 classes/);
    expect(() => exportToOnnx({ ...base, classes: [0.5, 1.5], coefficients: [[1], [2]] })).toThrow(
      /not a whole number/,
    );
    expect(() => exportToOnnx({ ...base, classes: ["p"] })).toThrow(/at least two classes/);
    expect(() =>
      exportToOnnx({
        ...base,
        coefficients: [
          [1, 2],
          [3, 4],
        ],
        classes: ["p", "q"],
      }),
    ).toThrow(/2 values for 1 features/);
    expect(() => exportToOnnx({ ...base, classes: ["p", "q"], intercepts: [0, Number.NaN] })).toThrow(/finite/);
    const tree: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "regression",
      featureNames: ["a"],
      trees: [
        { feature: [3, -1, -1], threshold: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1], values: [[0], [1], [2]] },
      ],
      aggregate: "sum",
      baseValues: [0],
      postTransform: "none",
    };
    expect(() => exportToOnnx(tree)).toThrow(/splits on feature 3, but the model has 1/);
    expect(() => exportToOnnx({ ...tree, trees: [] })).toThrow(/no trees/);
    expect(() => exportToOnnx({ ...tree, postTransform: "softmax" })).toThrow(/regressor's postTransform/);
  });
});

describe("two-class ensembles", () => {
  it("export forests with two classes (probability of class 1, pure leaves included)", async () => {
    const random = generator(8);
    const leaf = (): number[] => {
      const roll = random();
      const p = roll < 0.3 ? 0 : roll < 0.6 ? 1 : random();
      return [1 - p, p];
    };
    const model: TreeEnsembleModel = {
      kind: "tree_ensemble",
      task: "classification",
      featureNames: ["a", "b", "c"],
      classes: [0, 1],
      trees: Array.from({ length: 7 }, () => randomTree(random, 3, 2, 5, leaf)),
      aggregate: "average",
      baseValues: [0, 0],
      postTransform: "none",
    };
    await compare(model, randomRows(random, 300, 3));
  });

  it("breaks an even split of a two-class forest toward the first class, as predict does", async () => {
    // Ten one-leaf trees, five for each class: p = (0.5, 0.5) exactly.
    const leaf = (values: number[]): TreeNodes => ({
      feature: [-1],
      threshold: [0],
      left: [-1],
      right: [-1],
      values: [values],
    });
    for (const classes of [
      ["no", "yes"],
      [0, 1],
    ]) {
      const model: TreeEnsembleModel = {
        kind: "tree_ensemble",
        task: "classification",
        featureNames: ["a"],
        classes,
        trees: [...Array.from({ length: 5 }, () => leaf([0, 1])), ...Array.from({ length: 5 }, () => leaf([1, 0]))],
        aggregate: "average",
        baseValues: [0, 0],
        postTransform: "none",
      };
      const onnx = await OnnxModel.load(exportToOnnx(model));
      const result = await onnx.predict([[1]]);
      expect(result.label).toEqual([classes[0]]);
      expect(result.probabilities).toEqual([[0.5, 0.5]]);
      expect(predict(model, [[1]]).labels).toEqual([classes[0]]);
      await onnx.close();
    }
  });
});
